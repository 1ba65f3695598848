//! Everything generated code needs, and nothing else. Not a stable API.

pub use linkme;
pub use tracing;

pub use crate::function::{CallGuard, CallSpan, FunctionSite, NoSpan, Tracked};

use crate::CallOutcome;

pub use crate::business::private::{
    PickErrOfAny, PickErrOfResult, PickOkOfAny, PickOkOfResult, Returned, label_value, metric_value,
};
pub use crate::business::{
    BusinessSite, Counter, Gauge, Histogram, LabelValue, MetricKind, MetricValue, Series,
};

/// Every business metric declaration in the program, collected at link time.
#[linkme::distributed_slice]
pub static BUSINESS_METRICS: [&'static BusinessSite];

/// Every `#[monitored]` function in the program, collected at link time.
#[linkme::distributed_slice]
pub static MONITORED_FUNCTIONS: [&'static FunctionSite];

/// Every `#[health_check]` function in the program, collected at link time.
#[linkme::distributed_slice]
pub static HEALTH_CHECKS: [&'static crate::health::FnCheck];

pub use crate::health::private::*;

/// Wraps a returned value for classification by autoref specialisation: the
/// `CallOutcome` impl wins when there is one, otherwise the call counts as `ok`.
pub struct Outcome<'a, T: ?Sized>(pub &'a T);

/// Classification through [`CallOutcome`].
pub trait ClassifyByTrait {
    /// Whether the call failed.
    fn __monitor_is_error(&self) -> bool;
}

impl<T: CallOutcome + ?Sized> ClassifyByTrait for &Outcome<'_, T> {
    #[inline]
    fn __monitor_is_error(&self) -> bool {
        self.0.is_error()
    }
}

/// Fallback classification: a normal return is a success.
pub trait ClassifyDefault {
    /// Always `false`.
    fn __monitor_is_error(&self) -> bool;
}

impl<T: ?Sized> ClassifyDefault for Outcome<'_, T> {
    #[inline]
    fn __monitor_is_error(&self) -> bool {
        false
    }
}

/// Wraps a returned value so that an `Err` can be recorded on the call's span with
/// the best formatting its error type offers: `Display`, else `Debug`, else nothing.
pub struct ErrorField<'a, T: ?Sized>(pub &'a T);

/// Records an error with `Display`.
pub trait RecordDisplay {
    /// Records the error, if any, on `span`.
    fn __monitor_record(&self, span: &tracing::Span);
}

impl<T, E: std::fmt::Display> RecordDisplay for &&ErrorField<'_, Result<T, E>> {
    #[inline]
    fn __monitor_record(&self, span: &tracing::Span) {
        if let Err(error) = self.0 {
            span.record("error", tracing::field::display(error));
        }
    }
}

/// Records an error with `Debug`.
pub trait RecordDebug {
    /// Records the error, if any, on `span`.
    fn __monitor_record(&self, span: &tracing::Span);
}

impl<T, E: std::fmt::Debug> RecordDebug for &ErrorField<'_, Result<T, E>> {
    #[inline]
    fn __monitor_record(&self, span: &tracing::Span) {
        if let Err(error) = self.0 {
            span.record("error", tracing::field::debug(error));
        }
    }
}

/// Records nothing: the value has no printable error.
pub trait RecordNothing {
    /// Does nothing.
    fn __monitor_record(&self, span: &tracing::Span);
}

impl<T: ?Sized> RecordNothing for ErrorField<'_, T> {
    #[inline]
    fn __monitor_record(&self, _: &tracing::Span) {}
}

/// Records the outcome of a finished call on its span.
#[inline]
pub fn record_result(span: &tracing::Span, is_error: bool) {
    span.record("result", if is_error { "error" } else { "ok" });
}

/// Stands in for `?` inside a synchronous monitored body, so that an early exit
/// still passes through the call's bookkeeping. Mirrors the standard `Try` impls.
pub trait Branch {
    /// The value `?` yields on success.
    type Output;
    /// What `?` propagates on failure.
    type Residual;
    /// Splits `self` into a value to continue with or a residual to return.
    fn __monitor_branch(self) -> core::ops::ControlFlow<Self::Residual, Self::Output>;
}

/// Builds a return value from a residual, as `?` does with `From`.
pub trait FromResidual<R> {
    /// Converts the residual.
    fn __monitor_from_residual(residual: R) -> Self;
}

impl<T, E> Branch for Result<T, E> {
    type Output = T;
    type Residual = Result<core::convert::Infallible, E>;
    #[inline]
    fn __monitor_branch(self) -> core::ops::ControlFlow<Self::Residual, T> {
        match self {
            Ok(value) => core::ops::ControlFlow::Continue(value),
            Err(error) => core::ops::ControlFlow::Break(Err(error)),
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<core::convert::Infallible, E>> for Result<T, F> {
    #[inline]
    #[track_caller]
    fn __monitor_from_residual(residual: Result<core::convert::Infallible, E>) -> Self {
        match residual {
            Err(error) => Err(From::from(error)),
            Ok(never) => match never {},
        }
    }
}

impl<T> Branch for Option<T> {
    type Output = T;
    type Residual = Option<core::convert::Infallible>;
    #[inline]
    fn __monitor_branch(self) -> core::ops::ControlFlow<Self::Residual, T> {
        match self {
            Some(value) => core::ops::ControlFlow::Continue(value),
            None => core::ops::ControlFlow::Break(None),
        }
    }
}

impl<T> FromResidual<Option<core::convert::Infallible>> for Option<T> {
    #[inline]
    fn __monitor_from_residual(_: Option<core::convert::Infallible>) -> Self {
        None
    }
}

impl<B, C> Branch for core::ops::ControlFlow<B, C> {
    type Output = C;
    type Residual = core::ops::ControlFlow<B, core::convert::Infallible>;
    #[inline]
    fn __monitor_branch(self) -> core::ops::ControlFlow<Self::Residual, C> {
        match self {
            core::ops::ControlFlow::Continue(value) => core::ops::ControlFlow::Continue(value),
            core::ops::ControlFlow::Break(value) => {
                core::ops::ControlFlow::Break(core::ops::ControlFlow::Break(value))
            }
        }
    }
}

impl<B, C> FromResidual<core::ops::ControlFlow<B, core::convert::Infallible>>
    for core::ops::ControlFlow<B, C>
{
    #[inline]
    fn __monitor_from_residual(
        residual: core::ops::ControlFlow<B, core::convert::Infallible>,
    ) -> Self {
        match residual {
            core::ops::ControlFlow::Break(value) => core::ops::ControlFlow::Break(value),
            core::ops::ControlFlow::Continue(never) => match never {},
        }
    }
}

impl<T, E> Branch for core::task::Poll<Result<T, E>> {
    type Output = core::task::Poll<T>;
    type Residual = Result<core::convert::Infallible, E>;
    #[inline]
    fn __monitor_branch(self) -> core::ops::ControlFlow<Self::Residual, Self::Output> {
        match self {
            core::task::Poll::Ready(Ok(value)) => {
                core::ops::ControlFlow::Continue(core::task::Poll::Ready(value))
            }
            core::task::Poll::Ready(Err(error)) => core::ops::ControlFlow::Break(Err(error)),
            core::task::Poll::Pending => {
                core::ops::ControlFlow::Continue(core::task::Poll::Pending)
            }
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<core::convert::Infallible, E>>
    for core::task::Poll<Result<T, F>>
{
    #[inline]
    fn __monitor_from_residual(residual: Result<core::convert::Infallible, E>) -> Self {
        match residual {
            Err(error) => core::task::Poll::Ready(Err(From::from(error))),
            Ok(never) => match never {},
        }
    }
}

/// Finishes a synchronous or asynchronous call: classifies the returned value,
/// records the outcome on the span (unless spans are off: `no_span`), and updates the
/// metrics.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitor_finish_call {
    ($guard:ident, $ret:ident) => {{
        #[allow(unused_imports)]
        use $crate::__private::{
            ClassifyByTrait as _, ClassifyDefault as _, RecordDebug as _, RecordDisplay as _,
            RecordNothing as _,
        };
        let is_error = (&&$crate::__private::Outcome(&$ret)).__monitor_is_error();
        if let ::core::option::Option::Some(span) =
            $crate::__private::CallSpan::as_tracing($guard.span())
        {
            if !span.is_disabled() {
                if is_error {
                    (&&&$crate::__private::ErrorField(&$ret)).__monitor_record(span);
                }
                $crate::__private::record_result(span, is_error);
            }
        }
        $guard.finish(is_error);
    }};
    ($guard:ident, $ret:ident, no_span) => {{
        #[allow(unused_imports)]
        use $crate::__private::{ClassifyByTrait as _, ClassifyDefault as _};
        let is_error = (&&$crate::__private::Outcome(&$ret)).__monitor_is_error();
        $guard.finish(is_error);
    }};
}

pub use crate::__monitor_finish_call as finish_call;
