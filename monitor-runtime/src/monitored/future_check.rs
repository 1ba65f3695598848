//! The compile-time check that a `#[monitored]` function the macro takes for a
//! synchronous one does not return a future: timing it would time only the
//! construction of the future, and count every call `ok`.
//!
//! A macro sees only the tokens of the return type, so an alias of a boxed future
//! that is not named like one (`type Handler = Pin<Box<dyn Future<…>>>`) looks like a
//! plain value. The generated code of such a function checks the *type* of the value
//! it returns, by autoref specialisation as the classification of `CallOutcome`
//! does: [`FutureCheck`] of a [`Future`] picks [`CheckReturnsAFuture`], whose verdict
//! does not implement [`NotAFuture`], and the build fails with a message naming the
//! fix; any other type picks [`CheckReturnsNoFuture`] and the check is an inlined
//! no-op. `#[monitored(future = false)]` leaves the check out.

use std::future::Future;
use std::marker::PhantomData;

/// Wraps the value a monitored function returned, for the check.
#[doc(hidden)]
pub struct FutureCheck<'a, T>(pub &'a T);

/// The verdict on a returned future: it does not implement [`NotAFuture`], so the
/// build fails, and its name says how to fix it.
#[doc(hidden)]
#[allow(non_camel_case_types)]
pub struct MonitoredFunctionReturnsAFuture_AddMonitoredFutureOrFutureFalse<T>(PhantomData<T>);

/// The verdict on any other returned value.
#[doc(hidden)]
pub struct ReturnsNoFuture;

/// The check picked for a returned future.
#[doc(hidden)]
pub trait CheckReturnsAFuture {
    /// [`MonitoredFunctionReturnsAFuture_AddMonitoredFutureOrFutureFalse`].
    type Verdict;
    /// The verdict.
    fn __monitor_future_verdict(&self) -> Self::Verdict;
}

impl<T: Future> CheckReturnsAFuture for &FutureCheck<'_, T> {
    type Verdict = MonitoredFunctionReturnsAFuture_AddMonitoredFutureOrFutureFalse<T>;
    #[inline(always)]
    fn __monitor_future_verdict(&self) -> Self::Verdict {
        MonitoredFunctionReturnsAFuture_AddMonitoredFutureOrFutureFalse(PhantomData)
    }
}

/// The check picked for any other returned value.
#[doc(hidden)]
pub trait CheckReturnsNoFuture {
    /// The verdict.
    fn __monitor_future_verdict(&self) -> ReturnsNoFuture;
}

impl<T> CheckReturnsNoFuture for FutureCheck<'_, T> {
    #[inline(always)]
    fn __monitor_future_verdict(&self) -> ReturnsNoFuture {
        ReturnsNoFuture
    }
}

/// What a verdict must be for a monitored function to compile: the returned value is
/// not a future.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`#[monitored]` would time only the construction of the future this function \
               returns, and count every call `ok`",
    label = "this return type is a future",
    note = "add `#[monitored(future)]` to time the call until the future completes (a boxed \
            future such as `Pin<Box<dyn Future<Output = T> + Send>>`), or \
            `#[monitored(future = false)]` to time only the call that builds it"
)]
pub trait NotAFuture {}

impl NotAFuture for ReturnsNoFuture {}

/// Accepts the verdict on a value that is not a future; costs nothing.
#[doc(hidden)]
#[inline(always)]
pub fn assert_not_a_future<Verdict: NotAFuture>(_: Verdict) {}
