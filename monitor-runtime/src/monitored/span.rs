//! The span a monitored call runs in, and what is recorded on it: the result, and
//! an error with the best formatting its type offers.

use tracing::Span;

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

/// Wraps a returned value so that an `Err` can be recorded on the call's span with
/// the best formatting its error type offers: `Display`, else `Debug`, else nothing.
#[doc(hidden)]
pub struct ErrorField<'a, T: ?Sized>(pub &'a T);

/// Records an error with `Display`.
#[doc(hidden)]
pub trait RecordDisplay {
    /// Records the error, if any, on `span`.
    fn __monitor_record(&self, span: &Span);
}

impl<T, E: std::fmt::Display> RecordDisplay for &&ErrorField<'_, Result<T, E>> {
    #[inline]
    fn __monitor_record(&self, span: &Span) {
        if let Err(error) = self.0 {
            span.record("error", tracing::field::display(error));
        }
    }
}

/// Records an error with `Debug`.
#[doc(hidden)]
pub trait RecordDebug {
    /// Records the error, if any, on `span`.
    fn __monitor_record(&self, span: &Span);
}

impl<T, E: std::fmt::Debug> RecordDebug for &ErrorField<'_, Result<T, E>> {
    #[inline]
    fn __monitor_record(&self, span: &Span) {
        if let Err(error) = self.0 {
            span.record("error", tracing::field::debug(error));
        }
    }
}

/// Records nothing: the value has no printable error.
#[doc(hidden)]
pub trait RecordNothing {
    /// Does nothing.
    fn __monitor_record(&self, span: &Span);
}

impl<T: ?Sized> RecordNothing for ErrorField<'_, T> {
    #[inline]
    fn __monitor_record(&self, _: &Span) {}
}

/// Records the outcome of a finished call on its span.
#[doc(hidden)]
#[inline]
pub fn record_result(span: &Span, is_error: bool) {
    span.record("result", if is_error { "error" } else { "ok" });
}
