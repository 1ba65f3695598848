//! The trace of the current thread: one slot per thread, which whatever knows the
//! trace fills, and which the hot paths read.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

/// The trace a call belongs to: W3C Trace Context's 128-bit trace id and 64-bit
/// span id, neither zero.
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
    pub(super) trace_id: u128,
    pub(super) span_id: u64,
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
pub fn enter(context: TraceContext) -> ContextGuard {
    ContextGuard {
        previous: set_current(Some(context)),
    }
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
    previous: Option<TraceContext>,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        set_current(self.previous);
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
