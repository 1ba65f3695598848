//! The span a monitored call runs in, and what is recorded on it: the result, and
//! an error with the best formatting its type offers.

use tracing::Span;
use tracing::field::{Field, Value};

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

/// The span of a call whose span is on: created only when its level may be enabled,
/// so that a program without a subscriber, or whose subscriber filters the level out,
/// pays two relaxed loads and a comparison per call, not the building, moving and
/// dropping of a disabled span. (With `tracing`'s `log` feature, a program without a
/// subscriber gets no `log` records of these spans.)
///
/// Generated code builds it with `span_if_enabled!`. A level enabled while the
/// callsite is filtered out still gives a disabled [`Span`] in [`LazySpan::On`], which
/// behaves as `tracing` says.
#[doc(hidden)]
pub enum LazySpan {
    /// The level is off: no span.
    Off,
    /// The span created for the call.
    On(Span),
}

impl LazySpan {
    /// Whether spans of `level` may be enabled: a subscriber was ever set (until
    /// then `tracing` takes every level as enabled, and asks each callsite), and the
    /// level passes the compile-time and the current maximum level, the checks
    /// `tracing`'s own macros do first.
    #[inline(always)]
    pub fn level_enabled(level: tracing::Level) -> bool {
        crate::core::exemplar::spans_enabled(level)
    }
}

impl CallSpan for LazySpan {
    type Entered<'a> = Option<tracing::span::Entered<'a>>;

    #[inline(always)]
    fn enter(&self) -> Self::Entered<'_> {
        match self {
            LazySpan::Off => None,
            LazySpan::On(span) => Some(span.enter()),
        }
    }

    #[inline(always)]
    fn as_tracing(&self) -> Option<&Span> {
        match self {
            LazySpan::Off => None,
            LazySpan::On(span) => Some(span),
        }
    }
}

/// The span of a monitored call: [`LazySpan::On`] with the span `tracing::span!`
/// builds (with empty `result` and `error` fields) when the level is enabled, else
/// [`LazySpan::Off`]. Expanded in the user's crate, so that the span's callsite, target
/// and location are the function's; generated code names it
/// `__private::span_if_enabled`.
#[doc(hidden)]
#[macro_export]
macro_rules! __monitor_span_if_enabled {
    ($level:ident, $name:expr) => {
        if $crate::__private::LazySpan::level_enabled($crate::__private::tracing::Level::$level) {
            // `result` first, `error` second: `record_result` takes them by position.
            $crate::__private::LazySpan::On($crate::__private::tracing::span!(
                target: ::core::module_path!(),
                $crate::__private::tracing::Level::$level,
                $name,
                result = $crate::__private::tracing::field::Empty,
                error = $crate::__private::tracing::field::Empty,
            ))
        } else {
            $crate::__private::LazySpan::Off
        }
    };
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

/// Wraps a returned value so that a call that failed records `result = "error"` on
/// its span and, for an `Err`, the error with the best formatting its type offers:
/// `Display`, else `Debug`, else nothing.
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
        match self.0 {
            Err(error) => record_error(span, &tracing::field::display(error)),
            Ok(_) => record_result(span, true),
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
        match self.0 {
            Err(error) => record_error(span, &tracing::field::debug(error)),
            Ok(_) => record_result(span, true),
        }
    }
}

/// Records no error: the value has no printable error.
#[doc(hidden)]
pub trait RecordNothing {
    /// Records `result = "error"` only.
    fn __monitor_record(&self, span: &Span);
}

impl<T: ?Sized> RecordNothing for ErrorField<'_, T> {
    #[inline]
    fn __monitor_record(&self, span: &Span) {
        record_result(span, true);
    }
}

/// The `result` and `error` fields of a call's span: its first two, in the order
/// `span_if_enabled!` declares them, taken by position rather than looked up by name
/// on every call.
#[inline(always)]
fn call_fields(span: &Span) -> Option<(&'static tracing::field::FieldSet, Field, Field)> {
    let fields = span.metadata()?.fields();
    let mut iter = fields.iter();
    Some((fields, iter.next()?, iter.next()?))
}

/// Records the outcome of a finished call on its span.
#[doc(hidden)]
#[inline]
pub fn record_result(span: &Span, is_error: bool) {
    if let Some((fields, result, _)) = call_fields(span) {
        let value: &dyn Value = if is_error { &"error" } else { &"ok" };
        span.record_all(&fields.value_set(&[(&result, Some(value))]));
    }
}

/// Records `result = "error"` and the error, in one record.
#[inline]
fn record_error(span: &Span, error: &dyn Value) {
    if let Some((fields, result, error_field)) = call_fields(span) {
        let result_value: &dyn Value = &"error";
        span.record_all(
            &fields.value_set(&[(&result, Some(result_value)), (&error_field, Some(error))]),
        );
    }
}
