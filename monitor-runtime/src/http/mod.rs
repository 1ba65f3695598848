//! Everything served over HTTP: the exporter (`/metrics`, a ready-made server and a
//! router to merge) and the dashboard; it merges in the health endpoints, which the
//! health feature builds itself ([`crate::health::routes`]). Beside them, the metrics
//! of the service's own routes: [`HttpMetricsLayer`] (`metrics/`).
//!
//! This is the outermost layer: it reads the global registry through `core` and
//! the health checks through the public API of [`crate::health`]; no feature imports
//! it. Behind the `http` cargo feature.

pub(crate) mod alerts;
mod answer;
mod auth;
mod dashboard;
mod exporter;
mod metrics;
mod outcome;
mod own;
mod render;
mod server;
mod tls;

pub use alerts::EmbeddedAlertsHandle;
pub use exporter::{DEFAULT_ADDR, Exporter, ServeError, router, router_for, serve};
pub use metrics::{
    CLIENT_CLOSED_STATUS, DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, HttpMetrics,
    HttpMetricsLayer, ResponseBody, ResponseFuture, UNMATCHED_ROUTE, monitoring_routes,
};
