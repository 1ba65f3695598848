//! What the code generated for business metrics needs besides the descriptor: the
//! pickers that bind `ret` to the part of a returned value a declaration looks at.
//! Resolved by autoref specialisation, like the classification of `#[monitored]`.

pub use super::family::{MetricKind, Series};
use super::handles::{Counter, Gauge, Histogram};
pub use super::site::{BusinessSite, PendingSeries};
use super::value::{LabelStr, LabelValue, MetricValue};

/// Every business metric declaration in the program, collected at link time.
#[linkme::distributed_slice]
pub static MONITOR_RUNTIME_0_1_0_BUSINESS_METRICS: [&'static BusinessSite];
pub use MONITOR_RUNTIME_0_1_0_BUSINESS_METRICS as BUSINESS_METRICS;

/// A label value, from an expression passed by reference (so that a type error
/// points at the expression).
#[inline]
pub fn label_value<T: LabelValue + ?Sized>(value: &T) -> LabelStr<'_> {
    value.label_str()
}

/// A metric value, from an expression passed as it is (so that a type error points at
/// the expression).
#[inline]
pub fn metric_value<T: MetricValue>(value: T) -> f64 {
    value.metric_value()
}

/// Wraps a returned value for the pickers.
pub struct Returned<'a, T>(pub &'a T);

/// Picks the `Ok` value of a `Result`.
pub trait PickOkOfResult<'a> {
    /// The success type.
    type Value: 'a;
    /// The `Ok` value, if any.
    fn __monitor_ok(&self) -> Option<&'a Self::Value>;
}

impl<'a, T: 'a, E> PickOkOfResult<'a> for &Returned<'a, Result<T, E>> {
    type Value = T;
    #[inline]
    fn __monitor_ok(&self) -> Option<&'a T> {
        self.0.as_ref().ok()
    }
}

/// Any other value is its own success value.
pub trait PickOkOfAny<'a> {
    /// The returned type.
    type Value: 'a;
    /// The whole value.
    fn __monitor_ok(&self) -> Option<&'a Self::Value>;
}

impl<'a, T: 'a> PickOkOfAny<'a> for Returned<'a, T> {
    type Value = T;
    #[inline]
    fn __monitor_ok(&self) -> Option<&'a T> {
        Some(self.0)
    }
}

/// Picks the `Err` value of a `Result`.
pub trait PickErrOfResult<'a> {
    /// The error type.
    type Value: 'a;
    /// The `Err` value, if any.
    fn __monitor_err(&self) -> Option<&'a Self::Value>;
}

impl<'a, T, E: 'a> PickErrOfResult<'a> for &Returned<'a, Result<T, E>> {
    type Value = E;
    #[inline]
    fn __monitor_err(&self) -> Option<&'a E> {
        self.0.as_ref().err()
    }
}

/// Any other value classified as an error is its own error value.
pub trait PickErrOfAny<'a> {
    /// The returned type.
    type Value: 'a;
    /// The whole value.
    fn __monitor_err(&self) -> Option<&'a Self::Value>;
}

impl<'a, T: 'a> PickErrOfAny<'a> for Returned<'a, T> {
    type Value = T;
    #[inline]
    fn __monitor_err(&self) -> Option<&'a T> {
        Some(self.0)
    }
}

/// The handle of a counter of `business_metrics!`.
pub const fn counter<const N: usize>(site: &'static BusinessSite) -> Counter<N> {
    Counter::new(site)
}

/// The handle of a gauge of `business_metrics!`.
pub const fn gauge<const N: usize>(site: &'static BusinessSite) -> Gauge<N> {
    Gauge::new(site)
}

/// The handle of a histogram of `business_metrics!`.
pub const fn histogram<const N: usize>(site: &'static BusinessSite) -> Histogram<N> {
    Histogram::new(site)
}
