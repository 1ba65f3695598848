//! What the dashboards are generated for: the service, its business metrics and its
//! objectives.

use crate::alerts::Objective;
use crate::core::model::Kind;

/// What the dashboards are generated for.
///
/// ```
/// use monitor_runtime::grafana::{self, Service};
///
/// let dashboards = grafana::dashboards(&Service::new("shop"));
/// assert_eq!(dashboards[0]["title"], "shop / overview");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub(super) name: String,
    pub(super) business: Vec<BusinessMetric>,
    pub(super) objectives: Vec<Objective>,
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
    /// use monitor_runtime::grafana::{BusinessMetric, Service};
    /// use monitor_runtime::model::Kind;
    /// let service = Service::new("shop").business(BusinessMetric::new("cart_items", Kind::Gauge, "Items."));
    /// # let _ = service;
    /// ```
    pub fn business(mut self, metric: BusinessMetric) -> Self {
        self.business.push(metric);
        self
    }

    /// Adds the objective of a `#[monitored]` function: panels of its own on the
    /// objectives dashboard. (An objective of an HTTP route has no panel there yet:
    /// the routes dashboard shows its route.) A latency threshold should be a bucket
    /// bound of the function's histogram: the query reads that bucket.
    ///
    /// ```
    /// use std::time::Duration;
    /// use monitor_runtime::alerts::Objective;
    /// use monitor_runtime::grafana::Service;
    /// let service = Service::new("shop").objective(
    ///     Objective::new("checkout", "shop::orders", "checkout")
    ///         .success(0.999)
    ///         .latency(Duration::from_millis(250), 0.99),
    /// );
    /// # let _ = service;
    /// ```
    pub fn objective(mut self, objective: Objective) -> Self {
        if !objective.function().is_empty() {
            self.objectives.push(objective);
        }
        self
    }
}

/// A business metric family to chart.
///
/// ```
/// use monitor_runtime::grafana::{self, BusinessMetric, Service};
/// use monitor_runtime::model::Kind;
///
/// let service = Service::new("shop")
///     .business(BusinessMetric::new("cart_items", Kind::Gauge, "Items in carts."));
/// let business = &grafana::dashboards(&service)[3];
/// assert!(business.to_string().contains("cart_items"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessMetric {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) help: String,
}

impl BusinessMetric {
    /// The family `name` of `kind`, described by `help`. A counter is charted as a
    /// rate per second, a histogram as its median and 95th percentile, anything else
    /// as its value summed over instances.
    ///
    /// ```
    /// use monitor_runtime::grafana::BusinessMetric;
    /// use monitor_runtime::model::Kind;
    /// let logins = BusinessMetric::new("logins_total", Kind::Counter, "Logins.");
    /// # let _ = logins;
    /// ```
    pub fn new(name: &str, kind: Kind, help: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            help: help.to_owned(),
        }
    }
}
