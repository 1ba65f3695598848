//! Everything served over HTTP: the exporter (`/metrics`, a ready-made server and a
//! router to merge) and the dashboard; it merges in the health endpoints, which the
//! health feature builds itself (`health::routes`).
//!
//! This is the outermost layer: it reads the global registry through `core` and
//! the health checks through the public API of [`crate::health`]; no feature imports
//! it. Behind the `http` cargo feature.

pub(crate) mod alerts;
mod answer;
mod auth;
mod dashboard;
pub(crate) mod exporter;
mod outcome;
mod own;
pub mod red;
mod red_cells;
mod red_families;
mod render;
mod server;
mod tls;

pub use red::{HttpMetrics, HttpMetricsLayer};
