//! Per-function metrics of `#[monitored]`: the static descriptor each annotated
//! function carries, its resolved handles, and the guard that times one call.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use prometheus::{Histogram, IntCounter, IntGauge};
use tracing::Span;

/// Describes one `#[monitored]` function. One `static` per annotated function is
/// generated; it resolves its metric handles once, on first use or at [`crate::init`].
#[doc(hidden)]
pub struct FunctionSite {
    /// Value of the `function` label.
    pub function: &'static str,
    /// Value of the `module` label (the defining module's `module_path!()`).
    pub module: &'static str,
    /// Source file of the annotated function, for clash reports.
    pub file: &'static str,
    /// Source line of the annotated function, for clash reports.
    pub line: u32,
    /// Histogram upper bounds; empty for the default buckets.
    pub buckets: &'static [f64],
    /// Whether the function is asynchronous (and so can be cancelled).
    pub is_async: bool,
    handles: OnceLock<FunctionHandles>,
}

impl FunctionSite {
    /// Creates a descriptor; used by generated code only.
    pub const fn new(
        function: &'static str,
        module: &'static str,
        file: &'static str,
        line: u32,
        buckets: &'static [f64],
        is_async: bool,
    ) -> Self {
        Self {
            function,
            module,
            file,
            line,
            buckets,
            is_async,
            handles: OnceLock::new(),
        }
    }

    /// The resolved handles: one atomic load once resolved.
    #[inline]
    pub(crate) fn handles(&'static self) -> &'static FunctionHandles {
        match self.handles.get() {
            Some(handles) => handles,
            None => self.resolve(),
        }
    }

    #[cold]
    #[inline(never)]
    fn resolve(&'static self) -> &'static FunctionHandles {
        self.handles
            .get_or_init(|| crate::registry::register_function(self))
    }

    /// `file:line` of the annotated function.
    pub(crate) fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// The metric handles of one monitored function, created once.
pub(crate) struct FunctionHandles {
    pub(crate) ok: IntCounter,
    pub(crate) error: IntCounter,
    pub(crate) duration: Histogram,
    pub(crate) in_flight: IntGauge,
    pub(crate) cancelled: Option<IntCounter>,
}

const RUNNING: u8 = 0;
const POLLING: u8 = 1;
const FINISHED: u8 = 2;

/// Times one call of a monitored function. Created on entry; [`CallGuard::finish`]
/// records a normal return. Dropped without `finish`, it records a panic (the thread
/// is unwinding, or the future panicked while being polled) as `result="error"`, or
/// a cancellation (an async call whose future was dropped) in
/// `function_calls_cancelled_total`. Either way the in-flight gauge is restored.
#[doc(hidden)]
pub struct CallGuard {
    handles: &'static FunctionHandles,
    start: Instant,
    span: Span,
    state: u8,
}

impl CallGuard {
    /// Starts timing a call.
    #[inline]
    pub fn enter(site: &'static FunctionSite, span: Span) -> Self {
        let handles = site.handles();
        handles.in_flight.inc();
        Self {
            handles,
            start: Instant::now(),
            span,
            state: RUNNING,
        }
    }

    /// The call's span (disabled when spans are off for this function).
    #[inline]
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Records a normal return, classified by the caller.
    #[inline]
    pub fn finish(mut self, is_error: bool) {
        let handles = self.handles;
        handles.duration.observe(self.start.elapsed().as_secs_f64());
        if is_error {
            handles.error.inc();
        } else {
            handles.ok.inc();
        }
        handles.in_flight.dec();
        self.state = FINISHED;
    }

    /// Runs `future` inside this call: its span is entered on every poll, and a panic
    /// raised while polling is remembered so that the call counts as an error.
    #[inline]
    pub fn track<F: Future>(&mut self, future: F) -> Tracked<'_, F> {
        Tracked {
            guard: self,
            future,
        }
    }

    #[cold]
    fn abandoned(&mut self) {
        let handles = self.handles;
        if self.state == POLLING || std::thread::panicking() {
            handles.duration.observe(self.start.elapsed().as_secs_f64());
            handles.error.inc();
            if !self.span.is_disabled() {
                self.span.record("result", "error");
                self.span.record("error", "panicked");
            }
        } else if let Some(cancelled) = &handles.cancelled {
            cancelled.inc();
            if !self.span.is_disabled() {
                self.span.record("result", "cancelled");
            }
        }
        handles.in_flight.dec();
    }
}

impl Drop for CallGuard {
    #[inline]
    fn drop(&mut self) {
        if self.state != FINISHED {
            self.abandoned();
        }
    }
}

/// Future returned by [`CallGuard::track`].
#[doc(hidden)]
pub struct Tracked<'a, F> {
    guard: &'a mut CallGuard,
    future: F,
}

impl<F: Future> Future for Tracked<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`,
        // and `Tracked` has no `Drop` impl and is `!Unpin` whenever `F` is.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        // A panic inside `poll` leaves the state at POLLING, which the guard's drop
        // reads as a panic rather than a cancellation.
        this.guard.state = POLLING;
        let _entered = this.guard.span.enter();
        let poll = future.poll(cx);
        drop(_entered);
        this.guard.state = RUNNING;
        poll
    }
}
