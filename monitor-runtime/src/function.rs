//! Per-function metrics of `#[monitored]`: the static descriptor each annotated
//! function carries, its resolved handles, and the guard that times one call.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use prometheus::{Histogram, IntCounter, IntGauge};
use tracing::Span;

/// Describes one `#[monitored]` function. One `static` per annotated function is
/// generated; it resolves its metric handles once, on first use or at [`crate::init`].
///
/// Generated code only calls [`FunctionSite::new`] and [`CallGuard`]'s methods: how
/// the handles are stored and how a call is timed can change behind them.
#[doc(hidden)]
pub struct FunctionSite {
    /// Value of the `function` label.
    pub(crate) function: &'static str,
    /// Value of the `module` label (the defining module's `module_path!()`).
    pub(crate) module: &'static str,
    /// Source file of the annotated function, for clash reports.
    pub(crate) file: &'static str,
    /// Source line of the annotated function, for clash reports.
    pub(crate) line: u32,
    /// Histogram upper bounds; empty for the default buckets.
    pub(crate) buckets: &'static [f64],
    /// Whether the function is asynchronous (and so can be cancelled).
    pub(crate) is_async: bool,
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

/// The span a monitored call runs in: a [`tracing::Span`], or [`NoSpan`] when the
/// function's span is turned off (`#[monitored(span = false)]`), so that a call
/// without a span does no span work at all.
#[doc(hidden)]
pub trait CallSpan {
    /// Guard returned by [`CallSpan::enter`]; exits the span when dropped.
    type Entered<'a>
    where
        Self: 'a;
    /// Enters the span for the current thread.
    fn enter(&self) -> Self::Entered<'_>;
    /// The underlying `tracing` span, if any.
    fn as_tracing(&self) -> Option<&Span>;
}

impl CallSpan for Span {
    type Entered<'a> = tracing::span::Entered<'a>;

    #[inline(always)]
    fn enter(&self) -> Self::Entered<'_> {
        Span::enter(self)
    }

    #[inline(always)]
    fn as_tracing(&self) -> Option<&Span> {
        Some(self)
    }
}

/// No span: the call is not traced.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSpan;

impl CallSpan for NoSpan {
    type Entered<'a> = ();

    #[inline(always)]
    fn enter(&self) {}

    #[inline(always)]
    fn as_tracing(&self) -> Option<&Span> {
        None
    }
}

/// Times one call of a monitored function. Created on entry; [`CallGuard::finish`]
/// records a normal return and consumes the guard without running its `Drop`.
/// Dropped without `finish`, the guard records either a panic (the body was running:
/// a synchronous body unwinding, or a future panicking while polled) as
/// `result="error"`, or a cancellation (an async call whose future was dropped while
/// suspended) in `function_calls_cancelled_total`. Either way the in-flight gauge is
/// restored.
///
/// The fields are private so that the clock and the storage behind the handles can
/// change without touching the code the macros generate.
#[doc(hidden)]
pub struct CallGuard<S: CallSpan> {
    handles: &'static FunctionHandles,
    start: Instant,
    /// Whether the body is running (always, for a synchronous call; while polled, for
    /// an asynchronous one): a drop at that moment is a panic.
    in_body: bool,
    span: S,
}

impl<S: CallSpan> CallGuard<S> {
    /// Starts timing a call.
    #[inline(always)]
    pub fn enter(site: &'static FunctionSite, span: S) -> Self {
        let handles = site.handles();
        handles.in_flight.inc();
        Self {
            handles,
            start: Instant::now(),
            in_body: true,
            span,
        }
    }

    /// The call's span.
    #[inline(always)]
    pub fn span(&self) -> &S {
        &self.span
    }

    /// Records a normal return, classified by the caller.
    #[inline(always)]
    pub fn finish(self, is_error: bool) {
        let mut this = ManuallyDrop::new(self);
        let handles = this.handles;
        handles.duration.observe(this.start.elapsed().as_secs_f64());
        if is_error {
            handles.error.inc();
        } else {
            handles.ok.inc();
        }
        handles.in_flight.dec();
        // SAFETY: `this` is never used again and its `Drop` does not run, so the span
        // is dropped exactly once, here.
        unsafe { std::ptr::drop_in_place(&mut this.span) };
    }

    /// Runs `future` inside this call: its span is entered on every poll, and a panic
    /// raised while polling is told apart from the future being dropped.
    #[inline(always)]
    pub fn track<F: Future>(&mut self, future: F) -> Tracked<'_, F, S> {
        self.in_body = false;
        Tracked {
            guard: self,
            future,
        }
    }

    #[cold]
    #[inline(never)]
    fn abandoned(&mut self) {
        let handles = self.handles;
        let span = self.span.as_tracing().filter(|span| !span.is_disabled());
        if self.in_body {
            handles.duration.observe(self.start.elapsed().as_secs_f64());
            handles.error.inc();
            if let Some(span) = span {
                span.record("result", "error");
                span.record("error", "panicked");
            }
        } else {
            if let Some(cancelled) = &handles.cancelled {
                cancelled.inc();
            }
            if let Some(span) = span {
                span.record("result", "cancelled");
            }
        }
        handles.in_flight.dec();
    }
}

impl<S: CallSpan> Drop for CallGuard<S> {
    #[inline(always)]
    fn drop(&mut self) {
        self.abandoned();
    }
}

/// Future returned by [`CallGuard::track`].
#[doc(hidden)]
pub struct Tracked<'a, F, S: CallSpan> {
    guard: &'a mut CallGuard<S>,
    future: F,
}

impl<F: Future, S: CallSpan> Future for Tracked<'_, F, S> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`,
        // and `Tracked` has no `Drop` impl and is `!Unpin` whenever `F` is.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        // A panic inside `poll` leaves `in_body` set, which the guard's drop reads as
        // a panic rather than a cancellation.
        this.guard.in_body = true;
        let entered = this.guard.span.enter();
        let poll = future.poll(cx);
        drop(entered);
        this.guard.in_body = false;
        poll
    }
}
