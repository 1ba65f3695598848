//! Grafana dashboards for the service, generated from what it declares: an overview,
//! a function explorer, HTTP routes, business metrics, health, objectives and the
//! system. Behind the `grafana` cargo feature (on with `http`, which serves them at
//! `GET /dashboard/grafana.json`).
//!
//! ```
//! use monitor_runtime::grafana::{self, BusinessMetric, MetricKind, Service};
//!
//! let service = Service::new("shop")
//!     .business(BusinessMetric::new("user_signups_total", MetricKind::Counter, "Completed sign-ups."));
//! let dashboards = grafana::dashboards(&service);
//! assert_eq!(dashboards.len(), 7);
//! let overview = &dashboards[0];
//! assert_eq!(overview["uid"], "shop-overview");
//! // Every query, with the variables substituted, ready for Prometheus' query API:
//! let queries = grafana::expressions(overview, &[("job", "shop"), ("__rate_interval", "1m")]);
//! assert!(queries.iter().all(|query| !query.contains('$')));
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

use std::time::Duration;

use serde_json::Value;

pub use panels::le_label;

/// What the dashboards are generated for.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    name: String,
    business: Vec<BusinessMetric>,
    objectives: Vec<ObjectiveSpec>,
}

impl Service {
    /// A service named `name` (the dashboards' uids and titles start with it).
    ///
    /// ```
    /// let service = monitor_runtime::grafana::Service::new("shop");
    /// assert_eq!(service.name(), "shop");
    /// ```
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            business: Vec::new(),
            objectives: Vec::new(),
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a business metric to the business dashboard.
    ///
    /// ```
    /// use monitor_runtime::grafana::{BusinessMetric, MetricKind, Service};
    /// let service = Service::new("shop").business(BusinessMetric::new("cart_items", MetricKind::Gauge, "Items."));
    /// # let _ = service;
    /// ```
    pub fn business(mut self, metric: BusinessMetric) -> Self {
        self.business.push(metric);
        self
    }

    /// Adds an objective: a panel of its own on the objectives dashboard.
    ///
    /// ```
    /// use std::time::Duration;
    /// use monitor_runtime::grafana::{ObjectiveSpec, Service};
    /// let service = Service::new("shop").objective(
    ///     ObjectiveSpec::new("checkout", "shop::orders", "checkout").success(0.999),
    /// );
    /// # let _ = service;
    /// ```
    pub fn objective(mut self, objective: ObjectiveSpec) -> Self {
        self.objectives.push(objective);
        self
    }
}

/// The kind of a business metric, which decides how it is charted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Charted as a rate per second.
    Counter,
    /// Charted as its value.
    Gauge,
    /// Charted as its rate of observations and its median and 95th percentile.
    Histogram,
}

/// A business metric family to chart.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessMetric {
    name: String,
    kind: MetricKind,
    help: String,
}

impl BusinessMetric {
    /// The family `name` of `kind`, described by `help`.
    ///
    /// ```
    /// use monitor_runtime::grafana::{BusinessMetric, MetricKind};
    /// let logins = BusinessMetric::new("logins_total", MetricKind::Counter, "Logins.");
    /// # let _ = logins;
    /// ```
    pub fn new(name: &str, kind: MetricKind, help: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            help: help.to_owned(),
        }
    }
}

/// An objective of a `#[monitored]` function, as the objectives dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveSpec {
    name: String,
    module: String,
    function: String,
    success: Option<f64>,
    latency: Option<(Duration, f64)>,
}

impl ObjectiveSpec {
    /// The objective `name` of `function` in `module`.
    ///
    /// ```
    /// let spec = monitor_runtime::grafana::ObjectiveSpec::new("pay", "shop", "pay");
    /// # let _ = spec;
    /// ```
    pub fn new(name: &str, module: &str, function: &str) -> Self {
        Self {
            name: name.to_owned(),
            module: module.to_owned(),
            function: function.to_owned(),
            success: None,
            latency: None,
        }
    }

    /// Target share of calls that succeed (0..1).
    ///
    /// ```
    /// let spec = monitor_runtime::grafana::ObjectiveSpec::new("pay", "shop", "pay").success(0.99);
    /// # let _ = spec;
    /// ```
    pub fn success(mut self, ratio: f64) -> Self {
        self.success = Some(ratio);
        self
    }

    /// Target share of calls faster than `threshold` (0..1). The threshold should be
    /// a bucket bound of the function's histogram: the query reads that bucket.
    ///
    /// ```
    /// use std::time::Duration;
    /// let spec = monitor_runtime::grafana::ObjectiveSpec::new("pay", "shop", "pay")
    ///     .latency(Duration::from_millis(250), 0.99);
    /// # let _ = spec;
    /// ```
    pub fn latency(mut self, threshold: Duration, share: f64) -> Self {
        self.latency = Some((threshold, share));
        self
    }
}

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

/// Every `expr` of every panel of `dashboard`, with the template variables of
/// `variables` (`("job", "shop")`, `("__rate_interval", "1m")`, …) substituted, in
/// both their `$name` and `${name}` spellings: the queries a Prometheus-compatible
/// server would be sent.
///
/// ```
/// use monitor_runtime::grafana;
/// let overview = &grafana::dashboards(&grafana::Service::new("shop"))[0];
/// let queries = grafana::expressions(overview, &[("job", "shop"), ("__rate_interval", "30s")]);
/// assert!(queries.iter().any(|q| q.contains("rate(function_calls_total{job=~\"shop\"}[30s])")));
/// ```
pub fn expressions(dashboard: &Value, variables: &[(&str, &str)]) -> Vec<String> {
    let mut variables: Vec<(&str, &str)> = variables.to_vec();
    // `$job_name` must not be read as `$job` followed by `_name`.
    variables.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut found = Vec::new();
    collect_exprs(dashboard, &mut found);
    found
        .into_iter()
        .map(|expr| {
            let mut expr = expr;
            for (name, value) in &variables {
                expr = expr
                    .replace(&format!("${{{name}}}"), value)
                    .replace(&format!("${name}"), value);
            }
            expr
        })
        .collect()
}

fn collect_exprs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("expr", Value::String(expr)) => found.push(expr.clone()),
                    _ => collect_exprs(value, found),
                }
            }
        }
        Value::Array(values) => values.iter().for_each(|value| collect_exprs(value, found)),
        _ => {}
    }
}
