//! The trace of the current thread: one slot per thread, which whatever knows the
//! trace fills, and which the hot paths read.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::w3c::parse_traceparent;

/// The trace a call belongs to: W3C Trace Context's 128-bit trace id and 64-bit
/// span id, neither zero, and its sampled flag.
///
/// The HTTP server layer reads it from a request's `traceparent` header (or starts
/// a trace), the client layer writes it into the requests it sends, and exemplars
/// and JSON logs carry its ids: with `tracing-opentelemetry` installed (feature
/// `opentelemetry`) they are OpenTelemetry's own.
///
/// ```
/// use monitor_runtime::exemplars::{self, TraceContext};
///
/// let trace = TraceContext::new(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736, 0x00f0_67aa_0ba9_02b7).unwrap();
/// let _in_trace = exemplars::enter(trace);
/// assert_eq!(exemplars::current(), Some(trace));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceContext {
    // The trace id's halves: 8-byte alignment, so that a context adds no padding
    // to the futures that carry one.
    pub(super) trace_high: u64,
    pub(super) trace_low: u64,
    pub(super) span_id: u64,
    pub(super) sampled: bool,
}

impl TraceContext {
    /// A sampled context of these ids; `None` when either is zero (invalid in W3C
    /// Trace Context).
    pub fn new(trace_id: u128, span_id: u64) -> Option<Self> {
        (trace_id != 0 && span_id != 0).then_some(Self {
            trace_high: (trace_id >> 64) as u64,
            trace_low: trace_id as u64,
            span_id,
            sampled: true,
        })
    }

    /// A new trace: a random 128-bit trace id and 64-bit span id (never zero),
    /// sampled, as W3C Trace Context asks of a trace's first participant.
    ///
    /// ```
    /// use monitor_runtime::exemplars::TraceContext;
    ///
    /// let first = TraceContext::random();
    /// assert_ne!(first.trace_id(), TraceContext::random().trace_id());
    /// assert!(first.sampled());
    /// ```
    pub fn random() -> Self {
        // 192 random bits in one visit to the thread's generator.
        loop {
            let mut bytes = [0_u8; 24];
            fastrand::fill(&mut bytes);
            let word = |at: usize| {
                let mut word = [0_u8; 8];
                word.copy_from_slice(&bytes[at..at + 8]);
                u64::from_ne_bytes(word)
            };
            let (trace_high, trace_low, span_id) = (word(0), word(8), word(16));
            if (trace_high | trace_low) != 0 && span_id != 0 {
                return Self {
                    trace_high,
                    trace_low,
                    span_id,
                    sampled: true,
                };
            }
        }
    }

    /// A span of this trace below this one: the same trace id and sampled flag, a
    /// new random span id.
    ///
    /// ```
    /// use monitor_runtime::exemplars::TraceContext;
    ///
    /// let request = TraceContext::random();
    /// let call = request.child();
    /// assert_eq!(call.trace_id(), request.trace_id());
    /// assert_ne!(call.span_id(), request.span_id());
    /// ```
    pub fn child(&self) -> Self {
        Self {
            span_id: random_nonzero_u64(),
            ..*self
        }
    }

    /// This context with the sampled flag set or cleared. Exemplars are kept only
    /// of sampled traces (an unsampled trace reaches no trace store to link to);
    /// the flag is propagated as received either way.
    ///
    /// ```
    /// use monitor_runtime::exemplars::TraceContext;
    ///
    /// let unsampled = TraceContext::new(7, 9).unwrap().with_sampled(false);
    /// assert_eq!(unsampled.traceparent(), "00-00000000000000000000000000000007-0000000000000009-00");
    /// ```
    pub fn with_sampled(self, sampled: bool) -> Self {
        Self { sampled, ..self }
    }

    /// Whether the trace is sampled (the `sampled` flag of `traceparent`).
    pub fn sampled(&self) -> bool {
        self.sampled
    }

    /// The `traceparent` header of W3C Trace Context (version `00`) that names this
    /// span as the parent of the next.
    ///
    /// ```
    /// use monitor_runtime::exemplars::TraceContext;
    ///
    /// let trace = TraceContext::from_hex("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7").unwrap();
    /// assert_eq!(trace.traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    /// ```
    pub fn traceparent(&self) -> String {
        format!(
            "00-{:032x}-{:016x}-{:02x}",
            self.trace_id(),
            self.span_id,
            u8::from(self.sampled)
        )
    }

    /// The context a `traceparent` header names, read as W3C Trace Context Level 1
    /// says (a future version is read by its version-00 prefix); `None` for a value
    /// the specification calls invalid (version `ff`, all-zero ids, upper-case or
    /// other non-hex digits, wrong lengths or separators).
    ///
    /// ```
    /// use monitor_runtime::exemplars::TraceContext;
    ///
    /// let parent = TraceContext::from_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").unwrap();
    /// assert!(!parent.sampled());
    /// assert!(TraceContext::from_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_none());
    /// ```
    pub fn from_traceparent(value: &str) -> Option<Self> {
        let (trace_id, parent_id, sampled) = parse_traceparent(value.as_bytes()).ok()?;
        Self::with_flag(trace_id, parent_id, sampled)
    }

    /// A context from the hex forms of W3C Trace Context (32 and 16 lower-case hex
    /// digits), as `traceparent` and most tracers write them.
    ///
    /// ```
    /// use monitor_runtime::exemplars::TraceContext;
    ///
    /// let trace = TraceContext::from_hex("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7").unwrap();
    /// assert_eq!(trace.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert!(TraceContext::from_hex("00000000000000000000000000000000", "00f067aa0ba902b7").is_none());
    /// assert!(TraceContext::from_hex("xyz", "00f067aa0ba902b7").is_none());
    /// ```
    pub fn from_hex(trace_id: &str, span_id: &str) -> Option<Self> {
        let hex = |text: &str, digits: usize| {
            (text.len() == digits && text.bytes().all(|byte| byte.is_ascii_hexdigit()))
                .then(|| u128::from_str_radix(text, 16).ok())
                .flatten()
        };
        Self::new(hex(trace_id, 32)?, u64::try_from(hex(span_id, 16)?).ok()?)
    }

    /// A context of these ids and flag, when both ids are valid.
    pub(crate) fn with_flag(trace_id: u128, span_id: u64, sampled: bool) -> Option<Self> {
        Self::new(trace_id, span_id).map(|context| context.with_sampled(sampled))
    }

    /// The trace id.
    pub fn trace_id(&self) -> u128 {
        (u128::from(self.trace_high) << 64) | u128::from(self.trace_low)
    }

    /// The span id.
    pub fn span_id(&self) -> u64 {
        self.span_id
    }

    /// The trace id as 32 lower-case hex digits.
    pub fn trace_id_hex(&self) -> String {
        format!("{:032x}", self.trace_id())
    }

    /// The span id as 16 lower-case hex digits.
    pub fn span_id_hex(&self) -> String {
        format!("{:016x}", self.span_id)
    }
}

/// An id in hex (32 digits for a trace, 16 for a span), formatted only when
/// written: the HTTP layers record their spans' ids so, at no cost without a
/// subscriber.
#[cfg(any(feature = "http", feature = "client"))]
pub(crate) struct Hex<T>(pub(crate) T);

#[cfg(any(feature = "http", feature = "client"))]
impl std::fmt::Display for Hex<u128> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

#[cfg(any(feature = "http", feature = "client"))]
impl std::fmt::Display for Hex<u64> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// Whether spans of `level` may be enabled: a subscriber was ever set (until then
/// `tracing` takes every level as enabled, and asks each callsite), and the level
/// passes the compile-time and the current maximum level, the checks `tracing`'s
/// own macros do first. Spans are built only then: with `tracing`'s `log` feature
/// (which axum's defaults and sqlx turn on), a disabled span would still have its
/// fields recorded for `log`, at a cost of hundreds of instructions.
#[inline(always)]
pub fn spans_enabled(level: tracing::Level) -> bool {
    level <= tracing::level_filters::STATIC_MAX_LEVEL
        && tracing::dispatcher::has_been_set()
        && level <= tracing::level_filters::LevelFilter::current()
}

/// A random `u64` other than zero.
fn random_nonzero_u64() -> u64 {
    loop {
        let value = fastrand::u64(..);
        if value != 0 {
            return value;
        }
    }
}

/// Whether anything ever set a context: until then the hot paths skip exemplars
/// after one relaxed load.
static IN_USE: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The current thread's context: trace id (high and low halves), span id and
    /// sampled flag; zeros for none. No destructor, so that it stays readable while
    /// other thread-locals are dropped.
    static CURRENT: Cell<(u64, u64, u64, bool)> = const { Cell::new((0, 0, 0, false)) };
}

/// Whether exemplars are in use (something set a context once).
#[inline(always)]
pub(crate) fn in_use() -> bool {
    IN_USE.load(Ordering::Relaxed)
}

/// The current thread's context, read without a call.
#[inline(always)]
pub(crate) fn current_raw() -> Option<TraceContext> {
    let (high, low, span, sampled) = CURRENT.try_with(Cell::get).unwrap_or((0, 0, 0, false));
    if span == 0 {
        return None;
    }
    Some(TraceContext {
        trace_high: high,
        trace_low: low,
        span_id: span,
        sampled,
    })
}

/// Whether the current thread runs in a sampled trace, read without building it.
#[inline(always)]
pub(crate) fn in_sampled_trace() -> bool {
    // The flag is false whenever the slot holds no context (`raw`, `replace_raw`).
    CURRENT.try_with(|current| current.get().3).unwrap_or(false)
}

/// The current thread's context when its trace is sampled: the one exemplars keep.
#[inline(always)]
pub(crate) fn current_sampled() -> Option<TraceContext> {
    current_raw().filter(|context| context.sampled)
}

thread_local! {
    /// The `tracestate` of the request the current thread is serving, if it
    /// carried one; the client layer sends it on.
    static TRACESTATE: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// Puts `state` in the current thread's `tracestate` slot and what was there in
/// `state`: called twice around a poll, it lends a request's `tracestate` to the
/// code that runs for it.
#[cfg(feature = "http")]
pub(crate) fn swap_tracestate(state: &mut Option<Arc<str>>) {
    let _ = TRACESTATE.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            std::mem::swap(&mut *slot, state);
        }
    });
}

/// The `tracestate` of the request the current thread is serving.
#[cfg(feature = "client")]
pub(crate) fn current_tracestate() -> Option<Arc<str>> {
    TRACESTATE
        .try_with(|slot| slot.try_borrow().ok().and_then(|slot| slot.clone()))
        .ok()
        .flatten()
}

/// The trace the current thread runs in, if anything set one.
///
/// ```
/// assert_eq!(monitor_runtime::exemplars::current(), None);
/// ```
pub fn current() -> Option<TraceContext> {
    current_raw()
}

/// Sets the current thread's context, and returns the one it replaces.
#[cfg(feature = "exemplars")]
pub(crate) fn set_current(context: Option<TraceContext>) -> Option<TraceContext> {
    if context.is_some() && !IN_USE.load(Ordering::Relaxed) {
        IN_USE.store(true, Ordering::Relaxed);
    }
    let previous = current_raw();
    replace_raw(context.map_or((0, 0, 0, false), raw));
    previous
}

/// Runs the current thread in `context` until the guard is dropped, which restores
/// the context before. (An async task that moves between threads should enter its
/// context on each poll, as [`ContextLayer`](super::ContextLayer) does through spans.)
///
/// ```
/// use monitor_runtime::exemplars::{self, TraceContext};
///
/// let trace = TraceContext::new(7, 9).unwrap();
/// {
///     let _in_trace = exemplars::enter(trace);
///     assert_eq!(exemplars::current(), Some(trace));
/// }
/// assert_eq!(exemplars::current(), None);
/// ```
#[inline]
pub fn enter(context: TraceContext) -> ContextGuard {
    if !IN_USE.load(Ordering::Relaxed) {
        IN_USE.store(true, Ordering::Relaxed);
    }
    ContextGuard {
        previous: replace_raw(raw(context)),
    }
}

/// A context as the thread's slot holds it.
type Raw = (u64, u64, u64, bool);

#[inline(always)]
fn raw(context: TraceContext) -> Raw {
    (
        context.trace_high,
        context.trace_low,
        context.span_id,
        context.sampled,
    )
}

/// Puts `value` in the thread's slot and returns what was there: the words only,
/// no context built (the HTTP layers enter a request's context on every poll).
#[inline(always)]
fn replace_raw(value: Raw) -> Raw {
    CURRENT
        .try_with(|current| current.replace(value))
        .unwrap_or((0, 0, 0, false))
}

/// Restores the context that [`enter`] replaced, when dropped.
///
/// ```
/// use monitor_runtime::exemplars::{self, ContextGuard, TraceContext};
///
/// let outer: ContextGuard = exemplars::enter(TraceContext::new(1, 1).unwrap());
/// let inner = exemplars::enter(TraceContext::new(2, 2).unwrap());
/// drop(inner);
/// assert_eq!(exemplars::current(), TraceContext::new(1, 1));
/// drop(outer);
/// ```
#[must_use = "the context ends when the guard is dropped"]
#[derive(Debug)]
pub struct ContextGuard {
    previous: Raw,
}

impl Drop for ContextGuard {
    #[inline]
    fn drop(&mut self) {
        replace_raw(self.previous);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_per_thread_and_restored() {
        let outer = TraceContext::new(7, 8).unwrap();
        let inner = TraceContext::new(9, 10).unwrap();
        let _outer = enter(outer);
        {
            let _inner = enter(inner);
            assert_eq!(current(), Some(inner));
            std::thread::spawn(|| assert_eq!(current(), None))
                .join()
                .unwrap();
        }
        assert_eq!(current(), Some(outer));
        assert!(in_use());
    }
}
