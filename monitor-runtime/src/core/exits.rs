//! Early exits (`?`) inside an instrumented synchronous body.
//!
//! Generated code rewrites each `?` of a body it wraps into a call of
//! [`Branch::__monitor_branch`] and, on failure, a `break` out of the body with
//! [`FromResidual::__monitor_from_residual`], so that the call's bookkeeping still runs
//! after an early return. Both `#[monitored]` and `#[business_metric]` wrap bodies
//! this way, so the traits live in `core`.

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::task::Poll;

/// Stands in for `?` inside a synchronous monitored body, so that an early exit
/// still passes through the call's bookkeeping. Mirrors the standard `Try` impls.
#[doc(hidden)]
pub trait Branch {
    /// The value `?` yields on success.
    type Output;
    /// What `?` propagates on failure.
    type Residual;
    /// Splits `self` into a value to continue with or a residual to return.
    fn __monitor_branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

/// Builds a return value from a residual, as `?` does with `From`.
#[doc(hidden)]
pub trait FromResidual<R> {
    /// Converts the residual.
    fn __monitor_from_residual(residual: R) -> Self;
}

impl<T, E> Branch for Result<T, E> {
    type Output = T;
    type Residual = Result<Infallible, E>;
    #[inline]
    fn __monitor_branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Ok(value) => ControlFlow::Continue(value),
            Err(error) => ControlFlow::Break(Err(error)),
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Result<T, F> {
    #[inline]
    #[track_caller]
    fn __monitor_from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(error) => Err(From::from(error)),
            Ok(never) => match never {},
        }
    }
}

impl<T> Branch for Option<T> {
    type Output = T;
    type Residual = Option<Infallible>;
    #[inline]
    fn __monitor_branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Some(value) => ControlFlow::Continue(value),
            None => ControlFlow::Break(None),
        }
    }
}

impl<T> FromResidual<Option<Infallible>> for Option<T> {
    #[inline]
    fn __monitor_from_residual(_: Option<Infallible>) -> Self {
        None
    }
}

impl<B, C> Branch for ControlFlow<B, C> {
    type Output = C;
    type Residual = ControlFlow<B, Infallible>;
    #[inline]
    fn __monitor_branch(self) -> ControlFlow<Self::Residual, C> {
        match self {
            ControlFlow::Continue(value) => ControlFlow::Continue(value),
            ControlFlow::Break(value) => ControlFlow::Break(ControlFlow::Break(value)),
        }
    }
}

impl<B, C> FromResidual<ControlFlow<B, Infallible>> for ControlFlow<B, C> {
    #[inline]
    fn __monitor_from_residual(residual: ControlFlow<B, Infallible>) -> Self {
        match residual {
            ControlFlow::Break(value) => ControlFlow::Break(value),
            ControlFlow::Continue(never) => match never {},
        }
    }
}

impl<T, E> Branch for Poll<Result<T, E>> {
    type Output = Poll<T>;
    type Residual = Result<Infallible, E>;
    #[inline]
    fn __monitor_branch(self) -> ControlFlow<Self::Residual, Self::Output> {
        match self {
            Poll::Ready(Ok(value)) => ControlFlow::Continue(Poll::Ready(value)),
            Poll::Ready(Err(error)) => ControlFlow::Break(Err(error)),
            Poll::Pending => ControlFlow::Continue(Poll::Pending),
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Poll<Result<T, F>> {
    #[inline]
    fn __monitor_from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(error) => Poll::Ready(Err(From::from(error))),
            Ok(never) => match never {},
        }
    }
}

impl<T, E> Branch for Poll<Option<Result<T, E>>> {
    type Output = Poll<Option<T>>;
    type Residual = Result<Infallible, E>;
    #[inline]
    fn __monitor_branch(self) -> ControlFlow<Self::Residual, Self::Output> {
        match self {
            Poll::Ready(Some(Ok(value))) => ControlFlow::Continue(Poll::Ready(Some(value))),
            Poll::Ready(Some(Err(error))) => ControlFlow::Break(Err(error)),
            Poll::Ready(None) => ControlFlow::Continue(Poll::Ready(None)),
            Poll::Pending => ControlFlow::Continue(Poll::Pending),
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Poll<Option<Result<T, F>>> {
    #[inline]
    fn __monitor_from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(error) => Poll::Ready(Some(Err(From::from(error)))),
            Ok(never) => match never {},
        }
    }
}
