//! The guard that times one call of a monitored function, and the future wrapper
//! that tells a panic while polled apart from a dropped future.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::site::FunctionSite;
use super::span::CallSpan;
use super::stats::FunctionStats;
use crate::core::Block;
#[cfg(test)]
use crate::core::Shard;

/// Times one call of a monitored function. Created on entry; [`CallGuard::finish`]
/// records a normal return and consumes the guard without running its `Drop`.
/// Dropped without `finish`, the guard records either a panic (the body was running:
/// a synchronous body unwinding, or a future panicking while polled) as
/// `result="error"`, or a cancellation (an async call whose future was dropped while
/// suspended) in `function_calls_cancelled_total`, timed in
/// `function_calls_cancelled_duration_seconds`. Either way the in-flight gauge is
/// restored.
///
/// The fields are private so that the clock and the storage behind the handles can
/// change without touching the code the macros generate.
#[doc(hidden)]
pub struct CallGuard<'s, S: CallSpan> {
    stats: &'static FunctionStats,
    /// Raw clock reading at entry (see `stats::clock`).
    start: u64,
    /// The words of the shard of the thread that will record the end: the entering
    /// thread's, which a synchronous body never leaves; an asynchronous call's future
    /// takes the shard of the thread that polls it to completion.
    block: Block<'static>,
    /// Whether the body is running (always, for a synchronous call; while polled, for
    /// an asynchronous one): a drop at that moment is a panic.
    in_body: bool,
    /// The call's span: a local of the generated code, made before the guard (so
    /// that nothing is moved: a span not made costs the store of its tag) and
    /// dropped after it.
    span: &'s S,
}

impl<'s, S: CallSpan> CallGuard<'s, S> {
    /// Starts timing a call that runs in `span`.
    #[inline(always)]
    pub fn enter(site: &'static FunctionSite, span: &'s S) -> Self {
        let stats = site.handles().stats;
        let block = stats.start();
        Self {
            stats,
            span,
            block,
            start: stats.clock().raw(),
            in_body: true,
        }
    }

    /// The call's span.
    #[inline(always)]
    pub fn span(&self) -> &'s S {
        self.span
    }

    /// Records a normal return, classified by the caller.
    #[inline(always)]
    pub fn finish(self, is_error: bool) {
        let this = ManuallyDrop::new(self);
        this.stats
            .finish(this.block, this.elapsed(), is_error, this.start);
    }

    /// Runs `future` inside this call: its span is entered on every poll, and a panic
    /// raised while polling is told apart from the future being dropped.
    #[inline(always)]
    pub fn track<F: Future>(&mut self, future: F) -> Tracked<'_, 's, F, S> {
        self.in_body = false;
        Tracked {
            guard: self,
            future,
        }
    }

    /// Nanoseconds since the call started.
    #[inline(always)]
    fn elapsed(&self) -> u64 {
        elapsed(self.stats, self.start)
    }
}

impl<S: CallSpan> Drop for CallGuard<'_, S> {
    #[inline(always)]
    fn drop(&mut self) {
        // The fields by value, not the guard's address: the guard can then live in
        // registers on the normal path.
        abandoned(self.stats, self.start, self.in_body, self.span);
    }
}

/// Nanoseconds since the raw clock reading `start`.
#[inline(always)]
fn elapsed(stats: &FunctionStats, start: u64) -> u64 {
    let clock = stats.clock();
    clock.delta_as_nanos(start, clock.raw())
}

/// A guard dropped without `finish`: a panic (`in_body`) or a cancellation.
#[cold]
#[inline(never)]
fn abandoned<S: CallSpan>(stats: &'static FunctionStats, start: u64, in_body: bool, span: &S) {
    let span = span.as_tracing().filter(|span| !span.is_disabled());
    let elapsed = elapsed(stats, start);
    if in_body {
        // A panic of the body (a synchronous one, or a future while polled): on the
        // thread it ran on.
        stats.finish(stats.current_block(), elapsed, true, start);
        if let Some(span) = span {
            span.record("result", "error");
            span.record("error", "panicked");
        }
    } else {
        stats.cancel(elapsed);
        if let Some(span) = span {
            span.record("result", "cancelled");
        }
    }
}

/// Future returned by [`CallGuard::track`].
#[doc(hidden)]
pub struct Tracked<'a, 's, F, S: CallSpan> {
    guard: &'a mut CallGuard<'s, S>,
    future: F,
}

impl<F: Future, S: CallSpan> Future for Tracked<'_, '_, F, S> {
    type Output = F::Output;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of `self`,
        // and `Tracked` has no `Drop` impl and is `!Unpin` whenever `F` is.
        let this = unsafe { self.get_unchecked_mut() };
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        // A panic inside `poll` leaves `in_body` set, which the guard's drop reads as
        // a panic rather than a cancellation. So does a completed future: what runs
        // next (classifying the result, recording it) runs in the same poll of the
        // caller, and a panic there is the call's panic, not a cancellation.
        this.guard.in_body = true;
        let entered = this.guard.span.enter();
        let poll = future.poll(cx);
        drop(entered);
        if poll.is_pending() {
            this.guard.in_body = false;
        } else {
            // The end is recorded in this same poll, on this thread.
            this.guard.block = this.guard.stats.current_block();
        }
        poll
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use super::*;
    use crate::monitored::span::NoSpan;

    static SITE: FunctionSite = FunctionSite::new(
        "guard_test_completed_elsewhere",
        module_path!(),
        file!(),
        line!(),
        &[],
        true,
        crate::core::native::NATIVE_OFF,
        true,
    );

    #[test]
    fn an_asynchronous_call_ends_in_the_shard_of_the_thread_that_completes_it() {
        let span = NoSpan;
        let mut guard = CallGuard::enter(&SITE, &span);
        assert_eq!(guard.block.shard(), Shard::current().index());
        let completing = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut tracked = std::pin::pin!(guard.track(std::future::ready(7)));
                    let mut cx = Context::from_waker(Waker::noop());
                    assert_eq!(tracked.as_mut().poll(&mut cx), Poll::Ready(7));
                    Shard::current().index()
                })
                .join()
                .unwrap()
        });
        // The thread that completed the future owns the shard the end goes to (a
        // living thread's own shard is never another living thread's).
        assert_eq!(guard.block.shard(), completing);
        guard.finish(false);
        let stats = SITE.handles().stats;
        let mut scratch = Vec::new();
        let reading = stats.read(&mut scratch);
        assert_eq!((reading.count, reading.errors), (1, 0));
        assert_eq!(reading.in_flight, 0);
    }
}
