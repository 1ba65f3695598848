//! Grafana dashboards for the service, generated from what it declares: an overview,
//! a function explorer, HTTP routes, business metrics, health, objectives and the
//! system. Behind the `grafana` cargo feature (on with `http`, which serves them at
//! `GET /dashboard/grafana.json`).
//!
//! ```
//! use monitor_runtime::grafana::{self, BusinessMetric, Service};
//! use monitor_runtime::model::Kind;
//!
//! let service = Service::new("shop")
//!     .business(BusinessMetric::new("user_signups_total", Kind::Counter, "Completed sign-ups."));
//! let dashboards = grafana::dashboards(&service);
//! assert_eq!(dashboards.len(), 7);
//! assert_eq!(dashboards[0]["uid"], "shop-overview");
//! ```
//!
//! # How they are built
//!
//! - One `datasource` template variable (type `datasource`, query `prometheus`) that
//!   every panel and query variable refers to as `${datasource}`: file provisioning
//!   works as it is, and the import dialog asks for nothing.
//! - A `job` variable (`label_values(function_calls_total, job)`, several values
//!   allowed) narrows every query; the function explorer adds a `function` variable.
//! - Every rate is over `$__rate_interval`. Every query aggregates over instances
//!   before it divides or estimates: `sum by (…)` of rates, then ratios; `sum by (le, …)`
//!   of bucket rates, then `histogram_quantile`; so a panel means the same for one
//!   instance or three hundred.
//! - Every panel has a title, a description and a unit.
//! - Dashboards link to each other by the tag `monitor`.
//!
//! # Serving and importing them
//!
//! The exporter serves them for the running service at `GET /dashboard/grafana.json`,
//! titled with the service's [`identity`](crate::identity) (or `?service=shop`;
//! `&dashboard=overview` for one of them). To import one: Grafana → Dashboards →
//! Import, paste its JSON, pick the data source. To provision them from files, see
//! `examples/grafana/` in the repository: a data source, a dashboard provider and the
//! generated JSON.

mod model;
mod panels;
pub(crate) mod queries;
mod service;

use serde_json::Value;

pub use service::{BusinessMetric, Service};

/// Every dashboard for `service`, as Grafana dashboard JSON: overview, functions,
/// HTTP routes, business metrics, health, objectives, system (in that order).
///
/// ```
/// let dashboards = monitor_runtime::grafana::dashboards(&monitor_runtime::grafana::Service::new("shop"));
/// let titles: Vec<&str> = dashboards.iter().map(|d| d["title"].as_str().unwrap()).collect();
/// assert_eq!(titles[1], "shop / functions");
/// ```
pub fn dashboards(service: &Service) -> Vec<Value> {
    panels::all(service)
        .into_iter()
        .map(|dashboard| serde_json::to_value(dashboard).expect("a dashboard serialises"))
        .collect()
}
