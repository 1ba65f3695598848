//! RED metrics (rate, errors, duration) of a service's own HTTP routes: a tower
//! [`Layer`](tower::Layer) in the OpenTelemetry HTTP server conventions,
//! Prometheus form.
//!
//! The layer creates the figures of a (route, method, status) once and keeps them
//! (in `cells`' sharded integer histograms, exposed in the model by `families`);
//! a request to a route it has seen finds them by the address of the route's text
//! and touches relaxed atomics only: no lock, no hashing, no allocation. A guard that
//! records on drop holds the request's figures until its response body has ended or
//! was dropped, so a client that goes away mid-response is counted and the active
//! gauge is restored.
//!
//! One file per part, as tower-http lays out its middlewares:
//!
//! - `layer.rs`: [`HttpMetricsLayer`], its options and the default buckets;
//! - `service.rs`: [`HttpMetrics`], a request on its way in;
//! - `future.rs`: [`ResponseFuture`], the response head on its way out;
//! - `body.rs`: [`ResponseBody`] and the request body's wrapper, which count bytes;
//! - `guard.rs`: the guard that records a request when it ends;
//! - `routes.rs`: methods, route templates and their matching, each route's figures;
//! - `trace.rs`: a request's trace: W3C Trace Context in, its server span;
//! - `shared.rs`: what the layers of one configuration share;
//! - `cells.rs`: the storage of the figures, sharded integer histograms;
//! - `families.rs`: the source that turns them into the model's families.

mod body;
mod cells;
mod families;
mod future;
mod guard;
mod labels;
mod layer;
mod options;
mod routes;
mod service;
mod shared;
mod trace;

pub use body::ResponseBody;
pub use future::ResponseFuture;
pub use layer::HttpMetricsLayer;
pub use options::{DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS};
pub use routes::{UNMATCHED_ROUTE, monitoring_routes};
pub use service::HttpMetrics;
