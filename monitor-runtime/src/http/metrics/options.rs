//! What a layer is configured with, and the defaults of its buckets.

use axum::http::Method;

use crate::core::native::NativeSetting;

/// The request-duration buckets of [`HttpMetricsLayer`](super::HttpMetricsLayer) by default, in seconds: from
/// 100 µs to 10 s in 1-2.5-5 steps, with 2 s in place of 2.5 s: the default of
/// `#[monitored]`. A route answered from memory takes well under a millisecond, and
/// its percentiles need bounds there to read as more than "under the first bound";
/// 0.25, 0.5, 1 and 2 s are bounds, so that a route's latency objective at one of
/// those thresholds (and a p95 compared with 1 s or 2 s) is exact.
pub const DEFAULT_DURATION_BUCKETS: &[f64] = crate::core::DEFAULT_BUCKETS;

/// Body-size buckets, in bytes: powers of four from 64 bytes to 16 MiB.
pub const DEFAULT_SIZE_BUCKETS: &[f64] = &[
    64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0,
];

/// What a layer was configured with: layers configured alike share their figures.
#[derive(Clone, PartialEq)]
pub(super) struct Options {
    pub(super) duration_buckets: Vec<f64>,
    /// What [`HttpMetricsLayer::native`](super::HttpMetricsLayer::native) asks of native duration buckets.
    pub(super) native: NativeSetting,
    pub(super) size_buckets: Vec<f64>,
    pub(super) group_status: bool,
    pub(super) excluded: Vec<String>,
    pub(super) const_labels: Vec<(String, String)>,
    pub(super) routes: Vec<(Method, String)>,
}
