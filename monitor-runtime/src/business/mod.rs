//! Business metrics: counters, gauges and histograms of what the service does for its
//! users (sign-ups, logins, orders and their value), next to the technical metrics.
//!
//! Declare them on the function that does the work with
//! [`#[business_metric]`](crate::business_metric), or as statics updated anywhere with
//! [`business_metrics!`](crate::business_metrics). Both check names, labels, help and
//! buckets at compile time and register every metric at [`init`](crate::init), so
//! that a series without labels given at updates is exposed at zero from start-up.
//!
//! ```
//! use monitor_runtime::{business_metric, business_metrics};
//!
//! business_metrics! {
//!     /// Items currently reserved in carts.
//!     pub gauge ITEMS_RESERVED = "items_reserved", help = "Items reserved in carts.";
//! }
//!
//! #[business_metric(counter = "carts_checked_out_total", help = "Carts checked out.",
//!                   labels(channel = channel))]
//! fn check_out(channel: &str, items: u32) -> Result<u32, String> {
//!     ITEMS_RESERVED.sub(items, []);
//!     Ok(items)
//! }
//!
//! ITEMS_RESERVED.add(3, []);
//! check_out("web", 3).unwrap();
//! assert_eq!(ITEMS_RESERVED.with([]).get(), 0.0);
//! ```
//!
//! # Label values and the cardinality guard
//!
//! Label values come from any [`LabelValue`]: `&str`, `String`, integers, or your own
//! enums. Each distinct label set is a series that Prometheus stores, so each labelled
//! metric takes at most 1000 label sets from the values
//! given at updates; change it per metric with `max_label_sets = N`, or for every
//! metric with [`set_default_max_label_sets`]. Beyond the limit an update with a new
//! label set goes to the series whose values given at updates are all
//! `"__overflow__"` (constant labels keep their value), is counted in
//! `monitor_label_overflow_total{metric="..."}`, and the first one logs a warning.
//! Label sets already seen keep being updated. Memory stays bounded whatever arrives.
//!
//! A label set gets its series when a metric is first updated with it: a call of a
//! `#[business_metric]` function that does not update the metric (a failing call with
//! `on = "ok"`, a panic, a dropped future) creates no series, even when its label
//! values were computed as it started. Two declarations of one metric that give
//! different `max_label_sets` are reported by [`init`](crate::init) (as
//! [`RegistrationError::Incompatible`](crate::RegistrationError::Incompatible)), and
//! the metric takes the smaller limit, whatever the order they register in.
//!
//! A label value given at an update is at most [`MAX_LABEL_VALUE_LEN`] (256) bytes:
//! a longer one is cut to that length, at a character boundary, and the update is
//! counted in `monitor_label_values_cut_total{metric="..."}` (the first one logs a
//! warning).
//!
//! Updating an existing label set allocates nothing and takes no lock when its values
//! are strings, integers, `bool` or enums returning fixed strings: the values are
//! hashed in place (integers formatted on the stack) and looked up with atomic loads
//! only; only the creation of a new label set takes a lock. Counter and histogram
//! series keep their words per thread shard, in the storage of monitored functions,
//! so threads updating the same label set do not contend; a gauge series is one
//! atomic `f64`, shared, since `set` replaces a value that shards could not sum.
//! Each thread also remembers the series that label values of up to 16 bytes (at
//! most two labels) last resolved to, compared byte for byte, so that a repeated
//! update does not even hash; the `business` benchmark compares an update with
//! `prometheus`' `with_label_values`.
//!
//! # Histogram buckets
//!
//! A histogram counts its observations in buckets whose upper bounds it gives in its
//! unit, `buckets = [...]`. One whose name ends in `_seconds` may leave them out: it
//! takes the bounds of `#[monitored]` durations, from 100 µs to 10 s. Any other
//! (bytes, euros, items…) without them does not compile (M044 in the
//! [diagnostics](crate::diagnostics)): bounds made for seconds would not fit its values.
//!
//! ```
//! monitor_runtime::business_metrics! {
//!     /// Time to pack an order: the default bounds of durations.
//!     pub histogram PACKING = "order_packing_seconds", help = "Time to pack an order.";
//!     /// Order sizes, in bounds of their own.
//!     pub histogram SIZES = "order_size_items", help = "Items per order.",
//!         buckets = [1.0, 5.0, 20.0];
//! }
//!
//! PACKING.observe(std::time::Duration::from_millis(300), []);
//! SIZES.observe(3, []);
//! let snapshot = monitor_runtime::snapshot();
//! let packing = snapshot.family("order_packing_seconds").unwrap();
//! let monitor_runtime::model::Value::Histogram(histogram) = &packing.series[0].value else {
//!     unreachable!()
//! };
//! assert_eq!(histogram.bounds.first(), Some(&0.0001));
//! assert_eq!(histogram.bounds.last(), Some(&10.0));
//! assert_eq!(snapshot.value("order_size_items", &[]), Some(1.0));
//! ```
//!
//! # Invalid values
//!
//! A counter increment that is negative, NaN or infinite, or a NaN or infinite gauge
//! or histogram value, is dropped, logged once per metric, and counted in
//! `monitor_business_invalid_values_total{metric="..."}`. Nothing panics.

mod cache;
mod cells;
mod defaults;
mod family;
mod handles;
pub(crate) mod private;
mod registration;
mod site;
mod source;
mod table;
mod value;

pub use defaults::set_default_max_label_sets;
pub use family::{MAX_LABEL_VALUE_LEN, OVERFLOW_LABEL_VALUE};
pub use handles::{Counter, CounterSeries, Gauge, GaugeSeries, Histogram, HistogramSeries};
pub use value::{LabelStr, LabelValue, MetricValue};
