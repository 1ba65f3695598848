//! Objectives and business alerts declared in the code, collected at link time:
//! `#[monitored(objective(...))]` places an [`ObjectiveSite`] in [`OBJECTIVES`],
//! `#[business_metric(..., alert(...))]` a [`BusinessAlertSite`] in
//! [`BUSINESS_ALERTS`]. The macros have checked every value at compile time; the
//! sites only carry them to [`AlertSet::annotated`](super::AlertSet::annotated).

use std::collections::HashMap;
use std::time::Duration;

use super::model::{BusinessAlert, Objective, Severity};
use crate::core::{INITIALISERS, Initialiser, Phase, RegistrationError, SourceLocation, report};

/// An objective of one `#[monitored]` function, as the macro wrote it.
#[doc(hidden)]
#[derive(Debug)]
pub struct ObjectiveSite {
    name: &'static str,
    module: &'static str,
    function: &'static str,
    success: Option<f64>,
    /// The latency threshold in seconds and the share of calls within it.
    latency: Option<(f64, f64)>,
    period: Duration,
    location: SourceLocation,
}

impl ObjectiveSite {
    /// A site with no target yet; used by generated code only.
    pub const fn new(
        name: &'static str,
        module: &'static str,
        function: &'static str,
        period_seconds: u64,
        file: &'static str,
        line: u32,
    ) -> Self {
        ObjectiveSite {
            name,
            module,
            function,
            success: None,
            latency: None,
            period: Duration::from_secs(period_seconds),
            location: SourceLocation::new(file, line),
        }
    }

    /// Adds the success target.
    pub const fn success(mut self, ratio: f64) -> Self {
        self.success = Some(ratio);
        self
    }

    /// Adds the latency target.
    pub const fn latency(mut self, threshold_seconds: f64, share: f64) -> Self {
        self.latency = Some((threshold_seconds, share));
        self
    }

    fn objective(&self) -> Objective {
        let mut objective =
            Objective::new(self.name, self.module, self.function).with_period(self.period);
        if let Some(success) = self.success {
            objective = objective.success(success);
        }
        if let Some((threshold, share)) = self.latency {
            objective = objective.latency(Duration::from_secs_f64(threshold), share);
        }
        objective
    }
}

/// What a business alert compares, as the macro wrote it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum BusinessAlertKind {
    RateAbove,
    RateBelow,
    GaugeAbove,
    GaugeBelow,
}

/// An alert declared next to a business metric.
#[doc(hidden)]
#[derive(Debug)]
pub struct BusinessAlertSite {
    metric: &'static str,
    kind: BusinessAlertKind,
    value: f64,
    window: Duration,
    for_: Duration,
    critical: bool,
    name: &'static str,
}

impl BusinessAlertSite {
    /// Used by generated code only; `name` is empty for the derived name.
    pub const fn new(
        metric: &'static str,
        kind: BusinessAlertKind,
        value: f64,
        window_millis: u64,
        for_millis: u64,
        critical: bool,
        name: &'static str,
    ) -> Self {
        BusinessAlertSite {
            metric,
            kind,
            value,
            window: Duration::from_millis(window_millis),
            for_: Duration::from_millis(for_millis),
            critical,
            name,
        }
    }

    fn alert(&self) -> BusinessAlert {
        let alert = match self.kind {
            BusinessAlertKind::RateAbove => BusinessAlert::rate_above(self.metric, self.value),
            BusinessAlertKind::RateBelow => BusinessAlert::rate_below(self.metric, self.value),
            BusinessAlertKind::GaugeAbove => BusinessAlert::gauge_above(self.metric, self.value),
            BusinessAlertKind::GaugeBelow => BusinessAlert::gauge_below(self.metric, self.value),
        };
        let alert = alert
            .window(self.window)
            .for_(self.for_)
            .severity(if self.critical {
                Severity::Critical
            } else {
                Severity::Warning
            });
        if self.name.is_empty() {
            alert
        } else {
            alert.named(self.name)
        }
    }
}

/// Every objective declared with `#[monitored(objective(...))]`; the identifier
/// carries the crate's version so that its link section is unique (see
/// `core::INITIALISERS`).
#[doc(hidden)]
#[linkme::distributed_slice]
pub static MONITOR_RUNTIME_0_1_0_OBJECTIVES: [&'static ObjectiveSite];
#[doc(hidden)]
pub use MONITOR_RUNTIME_0_1_0_OBJECTIVES as OBJECTIVES;

/// Every alert declared with `#[business_metric(..., alert(...))]`.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static MONITOR_RUNTIME_0_1_0_BUSINESS_ALERTS: [&'static BusinessAlertSite];
#[doc(hidden)]
pub use MONITOR_RUNTIME_0_1_0_BUSINESS_ALERTS as BUSINESS_ALERTS;

/// Reports two objectives of the same name: their alerts would be one.
#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "alerts",
    run: check_objectives,
};

fn check_objectives() {
    let mut first: HashMap<&str, &ObjectiveSite> = HashMap::new();
    for site in OBJECTIVES {
        if let Some(earlier) = first.get(site.name) {
            report(RegistrationError::Clash {
                metric: "objective".to_owned(),
                series: format!("objective=\"{}\"", site.name),
                first: earlier.location.to_string(),
                second: site.location.to_string(),
            });
        } else {
            first.insert(site.name, site);
        }
    }
}

/// The objectives declared in the code, by name (the first of a name when two
/// clash, which start-up reports).
pub(crate) fn objectives() -> Vec<Objective> {
    let mut seen = Vec::new();
    let mut sites: Vec<&ObjectiveSite> = OBJECTIVES.iter().copied().collect();
    sites.sort_by_key(|site| (site.name, site.location.to_string()));
    sites
        .into_iter()
        .filter(|site| {
            let new = !seen.contains(&site.name);
            seen.push(site.name);
            new
        })
        .map(ObjectiveSite::objective)
        .collect()
}

/// The business alerts declared in the code, in a stable order.
pub(crate) fn business_alerts() -> Vec<BusinessAlert> {
    let mut alerts: Vec<BusinessAlert> = BUSINESS_ALERTS.iter().map(|site| site.alert()).collect();
    alerts.sort_by_key(BusinessAlert::alert_name);
    alerts.dedup_by(|a, b| a == b);
    alerts
}
