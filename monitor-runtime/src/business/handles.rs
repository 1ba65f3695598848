//! Handles of metrics declared with `business_metrics!`, updated anywhere.

use super::family::Series;
use super::site::BusinessSite;
use super::value::{LabelStr, LabelValue, MetricValue};

#[inline(always)]
fn series<const N: usize>(
    site: &'static BusinessSite,
    labels: [&dyn LabelValue; N],
) -> &'static Series {
    let values: [LabelStr<'_>; N] = labels.map(|label| label.label_str());
    let values: [&str; N] = std::array::from_fn(|index| values[index].as_str());
    site.series(&values)
}

/// A counter declared with [`business_metrics!`](crate::business_metrics), with `N`
/// labels whose values are given at each update.
///
/// ```
/// monitor_runtime::business_metrics! {
///     /// Orders placed, by payment method.
///     pub counter ORDERS_PLACED = "orders_placed_total",
///         help = "Orders placed, by payment method.",
///         labels(payment);
/// }
///
/// ORDERS_PLACED.inc([&"card"]);
/// ORDERS_PLACED.inc_by(2, [&"card"]);
/// assert_eq!(ORDERS_PLACED.with([&"card"]).get(), 3.0);
/// ```
pub struct Counter<const N: usize> {
    site: &'static BusinessSite,
}

impl<const N: usize> Counter<N> {
    /// The handle of the metric `site` declares; generated code makes it.
    pub(crate) const fn new(site: &'static BusinessSite) -> Self {
        Self { site }
    }

    /// Adds one to the series of `labels`.
    #[inline]
    pub fn inc(&self, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).count(1.0);
    }

    /// Adds `amount` to the series of `labels`. A negative or non-finite amount is
    /// dropped, logged once and counted in `monitor_business_invalid_values_total`.
    #[inline]
    pub fn inc_by(&self, amount: impl MetricValue, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).count(amount.metric_value());
    }

    /// The series of `labels`, to keep and update without looking it up again.
    #[inline]
    pub fn with(&self, labels: [&dyn LabelValue; N]) -> CounterSeries {
        CounterSeries {
            series: series(self.site, labels),
        }
    }
}

/// One series of a [`Counter`], resolved once.
///
/// ```
/// monitor_runtime::business_metrics! {
///     pub counter EMAILS_SENT = "emails_sent_total", help = "Emails sent.";
/// }
///
/// let sent = EMAILS_SENT.with([]);
/// sent.inc();
/// assert_eq!(sent.get(), 1.0);
/// ```
#[derive(Clone, Copy)]
pub struct CounterSeries {
    series: &'static Series,
}

impl CounterSeries {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.series.count(1.0);
    }

    /// Adds `amount` (negative or non-finite amounts are dropped and counted).
    #[inline]
    pub fn inc_by(&self, amount: impl MetricValue) {
        self.series.count(amount.metric_value());
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        self.series.value()
    }
}

/// A gauge declared with [`business_metrics!`](crate::business_metrics), with `N`
/// labels whose values are given at each update.
///
/// ```
/// monitor_runtime::business_metrics! {
///     pub gauge CARTS_OPEN = "carts_open", help = "Shopping carts open, by region.",
///         labels(region);
/// }
///
/// CARTS_OPEN.inc([&"eu"]);
/// CARTS_OPEN.add(4, [&"eu"]);
/// CARTS_OPEN.dec([&"eu"]);
/// assert_eq!(CARTS_OPEN.with([&"eu"]).get(), 4.0);
/// CARTS_OPEN.set(0, [&"eu"]);
/// assert_eq!(CARTS_OPEN.with([&"eu"]).get(), 0.0);
/// ```
pub struct Gauge<const N: usize> {
    site: &'static BusinessSite,
}

impl<const N: usize> Gauge<N> {
    /// The handle of the metric `site` declares; generated code makes it.
    pub(crate) const fn new(site: &'static BusinessSite) -> Self {
        Self { site }
    }

    /// Sets the series of `labels` to `value`.
    #[inline]
    pub fn set(&self, value: impl MetricValue, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).set(value.metric_value());
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).add(1.0);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).add(-1.0);
    }

    /// Adds `delta`.
    #[inline]
    pub fn add(&self, delta: impl MetricValue, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).add(delta.metric_value());
    }

    /// Subtracts `delta`.
    #[inline]
    pub fn sub(&self, delta: impl MetricValue, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).sub(delta.metric_value());
    }

    /// The series of `labels`, to keep and update without looking it up again.
    #[inline]
    pub fn with(&self, labels: [&dyn LabelValue; N]) -> GaugeSeries {
        GaugeSeries {
            series: series(self.site, labels),
        }
    }
}

/// One series of a [`Gauge`], resolved once.
///
/// ```
/// monitor_runtime::business_metrics! {
///     pub gauge WORKERS_BUSY = "workers_busy", help = "Workers busy.";
/// }
///
/// let busy = WORKERS_BUSY.with([]);
/// busy.inc();
/// busy.add(2.5);
/// busy.sub(0.5);
/// busy.dec();
/// assert_eq!(busy.get(), 2.0);
/// busy.set(7);
/// assert_eq!(busy.get(), 7.0);
/// ```
#[derive(Clone, Copy)]
pub struct GaugeSeries {
    series: &'static Series,
}

impl GaugeSeries {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: impl MetricValue) {
        self.series.set(value.metric_value());
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.series.add(1.0);
    }

    /// Subtracts one.
    #[inline]
    pub fn dec(&self) {
        self.series.add(-1.0);
    }

    /// Adds `delta`.
    #[inline]
    pub fn add(&self, delta: impl MetricValue) {
        self.series.add(delta.metric_value());
    }

    /// Subtracts `delta`.
    #[inline]
    pub fn sub(&self, delta: impl MetricValue) {
        self.series.sub(delta.metric_value());
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        self.series.value()
    }
}

/// A histogram declared with [`business_metrics!`](crate::business_metrics), with `N`
/// labels whose values are given at each update.
///
/// ```
/// monitor_runtime::business_metrics! {
///     pub histogram BASKET_ITEMS = "basket_items", help = "Items per basket at checkout.",
///         labels(channel), buckets = [1.0, 5.0, 10.0, 50.0];
/// }
///
/// BASKET_ITEMS.observe(3, [&"web"]);
/// BASKET_ITEMS.observe(12, [&"web"]);
/// let web = BASKET_ITEMS.with([&"web"]);
/// assert_eq!(web.sample_count(), 2);
/// assert_eq!(web.sample_sum(), 15.0);
/// ```
pub struct Histogram<const N: usize> {
    site: &'static BusinessSite,
}

impl<const N: usize> Histogram<N> {
    /// The handle of the metric `site` declares; generated code makes it.
    pub(crate) const fn new(site: &'static BusinessSite) -> Self {
        Self { site }
    }

    /// Records `value` in the series of `labels`. A non-finite value is dropped,
    /// logged once and counted in `monitor_business_invalid_values_total`.
    #[inline]
    pub fn observe(&self, value: impl MetricValue, labels: [&dyn LabelValue; N]) {
        series(self.site, labels).observe(value.metric_value());
    }

    /// The series of `labels`, to keep and update without looking it up again.
    #[inline]
    pub fn with(&self, labels: [&dyn LabelValue; N]) -> HistogramSeries {
        HistogramSeries {
            series: series(self.site, labels),
        }
    }
}

/// One series of a [`Histogram`], resolved once.
///
/// ```
/// use std::time::Duration;
///
/// monitor_runtime::business_metrics! {
///     pub histogram DELIVERY_TIME = "delivery_time_seconds", help = "Time to deliver an order.";
/// }
///
/// let deliveries = DELIVERY_TIME.with([]);
/// deliveries.observe(Duration::from_secs(90));
/// assert_eq!(deliveries.sample_sum(), 90.0);
/// assert_eq!(deliveries.sample_count(), 1);
/// ```
#[derive(Clone, Copy)]
pub struct HistogramSeries {
    series: &'static Series,
}

impl HistogramSeries {
    /// Records one observation.
    #[inline]
    pub fn observe(&self, value: impl MetricValue) {
        self.series.observe(value.metric_value());
    }

    /// The sum of every observation.
    pub fn sample_sum(&self) -> f64 {
        self.series.value()
    }

    /// The number of observations.
    pub fn sample_count(&self) -> u64 {
        self.series.count_of_observations()
    }
}
