//! Everything served over HTTP: the exporter (`/metrics`, a ready-made server and a
//! router to merge), the dashboard, and the health endpoints.
//!
//! This is the outermost layer: it reads the global registry through `core` and
//! the health checks through the public API of [`crate::health`]; no feature imports
//! it. Behind the `http` cargo feature.

mod dashboard;
mod exporter;
mod health;

pub use exporter::{DEFAULT_ADDR, Exporter, ServeError, router, serve};
