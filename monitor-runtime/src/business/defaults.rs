//! The defaults of business metrics that a program may change at start-up.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many label sets a labelled business metric takes by default.
pub(crate) const DEFAULT_MAX_LABEL_SETS: usize = 1000;

pub(crate) static DEFAULT_MAX_LABEL_SETS_NOW: AtomicUsize =
    AtomicUsize::new(DEFAULT_MAX_LABEL_SETS);

/// Sets how many label sets each labelled business metric without its own
/// `max_label_sets` takes from the values given at updates (1000 by default); past
/// it, new label sets fold into one series labelled
/// [`OVERFLOW_LABEL_VALUE`](super::OVERFLOW_LABEL_VALUE). It applies to label sets created from then on; call it at
/// start-up. A value of 0 is taken as 1.
///
/// ```
/// monitor_runtime::business::set_default_max_label_sets(5000);
/// # monitor_runtime::business::set_default_max_label_sets(1000);
/// ```
///
/// A declaration's own `max_label_sets = N` wins:
///
/// ```
/// monitor_runtime::business_metrics! {
///     /// Downloads by file: past 2 files, new ones fold into `__overflow__`.
///     pub counter DOWNLOADS = "downloads_total", help = "Downloads by file.",
///         labels(file), max_label_sets = 2;
/// }
///
/// for file in ["a.pdf", "b.pdf", "c.pdf", "d.pdf"] {
///     DOWNLOADS.inc([&file]);
/// }
/// assert_eq!(DOWNLOADS.with([&"b.pdf"]).get(), 1.0);
/// assert_eq!(DOWNLOADS.with([&monitor_runtime::business::OVERFLOW_LABEL_VALUE]).get(), 2.0);
/// ```
pub fn set_default_max_label_sets(limit: usize) {
    DEFAULT_MAX_LABEL_SETS_NOW.store(limit.max(1), Ordering::Relaxed);
}
