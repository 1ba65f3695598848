//! Exemplars: the trace of a call kept beside the bucket (or counter) it went into,
//! so that a latency spike on a chart links to a request that caused it.
//!
//! The runtime reads the trace of the current thread from one slot, which whatever
//! knows the trace fills: the tracing layer [`ContextLayer`] (feature `exemplars`),
//! which reads it from the current span, an HTTP layer that read `traceparent`, or
//! the application itself with [`enter`]. Until something fills it for the first time
//! a monitored call pays one relaxed load for exemplars, and a few instructions more
//! once it is in use and the call has no trace.
//!
//! A histogram keeps one exemplar per bucket, replaced at most once per
//! [`set_interval`] (1 s by default) by a later traced call that lands there. Only
//! OpenMetrics and the protobuf format carry exemplars (Prometheus stores them with
//! `--enable-feature=exemplar-storage`); their labels are `trace_id` (32 hex digits)
//! and `span_id` (16), well within OpenMetrics' limit of 128 characters.
//!
//! ```
//! use monitor_runtime::exemplars::{self, TraceContext};
//!
//! #[monitor_runtime::monitored]
//! fn charge() {}
//!
//! let trace = TraceContext::new(0x4bf92f3577b34da6a3ce929d0e0e4736, 0x00f067aa0ba902b7).unwrap();
//! {
//!     let _in_trace = exemplars::enter(trace);
//!     charge();
//! }
//! let text = String::from_utf8(monitor_runtime::render(monitor_runtime::Format::OpenMetrics)).unwrap();
//! assert!(text.contains(r#"# {span_id="00f067aa0ba902b7",trace_id="4bf92f3577b34da6a3ce929d0e0e4736"}"#));
//! ```

#[cfg(feature = "exemplars")]
mod layer;

#[cfg(feature = "exemplars")]
#[cfg_attr(docsrs, doc(cfg(feature = "exemplars")))]
pub use layer::ContextLayer;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::model::{Exemplar, Labels};

/// The trace a call belongs to: W3C Trace Context's 128-bit trace id and 64-bit
/// span id, neither zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceContext {
    trace_id: u128,
    span_id: u64,
}

impl TraceContext {
    /// A context of these ids; `None` when either is zero (invalid in W3C Trace
    /// Context).
    pub fn new(trace_id: u128, span_id: u64) -> Option<Self> {
        (trace_id != 0 && span_id != 0).then_some(Self { trace_id, span_id })
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

    /// The trace id.
    pub fn trace_id(&self) -> u128 {
        self.trace_id
    }

    /// The span id.
    pub fn span_id(&self) -> u64 {
        self.span_id
    }

    /// The trace id as 32 lower-case hex digits.
    pub fn trace_id_hex(&self) -> String {
        format!("{:032x}", self.trace_id)
    }

    /// The span id as 16 lower-case hex digits.
    pub fn span_id_hex(&self) -> String {
        format!("{:016x}", self.span_id)
    }
}

/// Whether anything ever set a context: until then the hot paths skip exemplars
/// after one relaxed load.
static IN_USE: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The current thread's context: trace id (high and low halves) and span id;
    /// zeros for none. No destructor, so that it stays readable while other
    /// thread-locals are dropped.
    static CURRENT: Cell<(u64, u64, u64)> = const { Cell::new((0, 0, 0)) };
}

/// Whether exemplars are in use (something set a context once).
#[inline(always)]
pub(crate) fn in_use() -> bool {
    IN_USE.load(Ordering::Relaxed)
}

/// The current thread's context, read without a call.
#[inline(always)]
pub(crate) fn current_raw() -> Option<TraceContext> {
    let (high, low, span) = CURRENT.try_with(Cell::get).unwrap_or((0, 0, 0));
    if span == 0 {
        return None;
    }
    Some(TraceContext {
        trace_id: (u128::from(high) << 64) | u128::from(low),
        span_id: span,
    })
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
pub(crate) fn set_current(context: Option<TraceContext>) -> Option<TraceContext> {
    if context.is_some() && !IN_USE.load(Ordering::Relaxed) {
        IN_USE.store(true, Ordering::Relaxed);
    }
    let previous = current_raw();
    let value = context.map_or((0, 0, 0), |context| {
        (
            (context.trace_id >> 64) as u64,
            context.trace_id as u64,
            context.span_id,
        )
    });
    let _ = CURRENT.try_with(|current| current.set(value));
    previous
}

/// Runs the current thread in `context` until the guard is dropped, which restores
/// the context before. (An async task that moves between threads should enter its
/// context on each poll, as [`ContextLayer`] does through spans.)
pub fn enter(context: TraceContext) -> ContextGuard {
    ContextGuard {
        previous: set_current(Some(context)),
    }
}

/// Restores the context that [`enter`] replaced, when dropped.
#[must_use = "the context ends when the guard is dropped"]
#[derive(Debug)]
pub struct ContextGuard {
    previous: Option<TraceContext>,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        set_current(self.previous);
    }
}

/// Nanoseconds between two replacements of one exemplar.
static INTERVAL_NANOS: AtomicU64 = AtomicU64::new(1_000_000_000);

/// Sets how often at most an exemplar is replaced (1 s by default; zero keeps the
/// latest traced call of every bucket).
pub fn set_interval(interval: Duration) {
    INTERVAL_NANOS.store(
        u64::try_from(interval.as_nanos()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
}

/// One exemplar slot of a bucket or counter: written by the call that replaces it
/// (a sequence number odd while it writes), read by snapshots, which retry a torn
/// read. Never locked: a call that finds the slot being written gives up its offer.
#[derive(Default)]
pub(crate) struct Slot {
    sequence: AtomicU64,
    trace_high: AtomicU64,
    trace_low: AtomicU64,
    span: AtomicU64,
    /// The value observed, as `f64` bits.
    value: AtomicU64,
    /// When, nanoseconds since the Unix epoch; 0 for never.
    at: AtomicU64,
}

impl Slot {
    /// Offers the exemplar of a call that observed `value` in `context` now: taken
    /// when the slot is older than [`interval`] and nobody else is writing it.
    #[cold]
    #[inline(never)]
    pub(crate) fn offer(&self, context: TraceContext, value: f64) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |since| {
                u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
            });
        let at = self.at.load(Ordering::Relaxed);
        if at != 0 && now.saturating_sub(at) < INTERVAL_NANOS.load(Ordering::Relaxed) {
            return;
        }
        let sequence = self.sequence.load(Ordering::Relaxed);
        if sequence % 2 == 1
            || self
                .sequence
                .compare_exchange(sequence, sequence + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        self.trace_high
            .store((context.trace_id >> 64) as u64, Ordering::Relaxed);
        self.trace_low
            .store(context.trace_id as u64, Ordering::Relaxed);
        self.span.store(context.span_id, Ordering::Relaxed);
        self.value.store(value.to_bits(), Ordering::Relaxed);
        self.at.store(now, Ordering::Relaxed);
        self.sequence.store(sequence + 2, Ordering::Release);
    }

    /// The exemplar, if a call left one (a read that keeps meeting a writer gives
    /// none this time).
    pub(crate) fn read(&self) -> Option<Exemplar> {
        for _ in 0..4 {
            let before = self.sequence.load(Ordering::Acquire);
            if before == 0 {
                return None;
            }
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let high = self.trace_high.load(Ordering::Relaxed);
            let low = self.trace_low.load(Ordering::Relaxed);
            let span = self.span.load(Ordering::Relaxed);
            let value = f64::from_bits(self.value.load(Ordering::Relaxed));
            let at = self.at.load(Ordering::Relaxed);
            std::sync::atomic::fence(Ordering::Acquire);
            if self.sequence.load(Ordering::Relaxed) != before {
                continue;
            }
            let context = TraceContext::new((u128::from(high) << 64) | u128::from(low), span)?;
            return Some(exemplar(context, value, at as f64 / 1e9));
        }
        None
    }
}

/// The exemplar of a call in `context` that observed `value` at `at` (seconds since
/// the Unix epoch).
pub(crate) fn exemplar(context: TraceContext, value: f64, at: f64) -> Exemplar {
    Exemplar {
        labels: Labels::new([
            ("trace_id", context.trace_id_hex()),
            ("span_id", context.span_id_hex()),
        ]),
        value,
        timestamp: Some(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_keeps_one_exemplar_per_interval() {
        let slot = Slot::default();
        assert!(slot.read().is_none());
        let first = TraceContext::new(1, 2).unwrap();
        let second = TraceContext::new(3, 4).unwrap();
        slot.offer(first, 0.5);
        slot.offer(second, 0.7);
        let kept = slot.read().unwrap();
        assert_eq!(
            kept.labels.get("trace_id"),
            Some("00000000000000000000000000000001")
        );
        assert_eq!(kept.labels.get("span_id"), Some("0000000000000002"));
        assert_eq!(kept.value, 0.5);
        assert!(kept.timestamp.unwrap() > 1.6e9);
    }

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
