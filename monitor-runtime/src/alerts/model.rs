//! The typed alert definitions: objectives, default service alerts, business alerts.

use std::collections::BTreeMap;
use std::time::Duration;

use super::duration::{days, hours, mins, promql};

/// How urgent an alert is; Alertmanager routes on the `severity` label.
///
/// ```
/// use monitor_runtime::alerts::{BusinessAlert, Severity};
///
/// let alert = BusinessAlert::rate_above("login_failures_total", 5.0).severity(Severity::Critical);
/// assert_eq!(Severity::Critical.as_str(), "critical");
/// # let _ = alert;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Page someone now.
    Critical,
    /// Open a ticket, post to a chat.
    Warning,
}

impl Severity {
    /// `"critical"` or `"warning"`, the label's value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
        }
    }
}

/// A pair of windows of a multiwindow, multi-burn-rate alert: it fires while the
/// error ratio over both windows exceeds `factor` times the error budget.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::alerts::{AlertSet, BurnWindow, Objective, Severity};
///
/// let fast_page = BurnWindow {
///     long: Duration::from_secs(3600),
///     short: Duration::from_secs(300),
///     factor: 14.4,
///     severity: Severity::Critical,
/// };
/// let set = AlertSet::new("shop")
///     .objective(Objective::new("pay", "shop", "pay").success(0.999).windows(vec![fast_page]));
/// assert!(set.rules().alerts().any(|alert| alert.alert == "PayErrorBudgetBurnPage"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnWindow {
    /// The long window (`1h`).
    pub long: Duration,
    /// The short window (`5m`), which makes the alert resolve soon after a fix.
    pub short: Duration,
    /// How many times faster than the budget allows (`14.4`).
    pub factor: f64,
    /// `Critical` pages, `Warning` opens a ticket.
    pub severity: Severity,
}

/// The windows of the SRE workbook (and sloth) for a 30-day objective: page at
/// 14.4× over 1 h and 5 m and at 6× over 6 h and 30 m; ticket at 3× over 1 d and
/// 2 h and at 1× over 3 d and 6 h.
pub(crate) fn default_burn_windows() -> Vec<BurnWindow> {
    vec![
        BurnWindow {
            long: hours(1),
            short: mins(5),
            factor: 14.4,
            severity: Severity::Critical,
        },
        BurnWindow {
            long: hours(6),
            short: mins(30),
            factor: 6.0,
            severity: Severity::Critical,
        },
        BurnWindow {
            long: days(1),
            short: hours(2),
            factor: 3.0,
            severity: Severity::Warning,
        },
        BurnWindow {
            long: days(3),
            short: hours(6),
            factor: 1.0,
            severity: Severity::Warning,
        },
    ]
}

/// A service level objective of one `#[monitored]` function: a success ratio, a
/// latency threshold met by a share of calls, or both, over a period.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::alerts::Objective;
///
/// let checkout = Objective::new("checkout", "shop::orders", "checkout")
///     .success(0.999)
///     .latency(Duration::from_millis(250), 0.99);
/// assert_eq!(checkout.period(), Duration::from_secs(30 * 86_400));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    name: String,
    target: ObjectiveTarget,
    success: Option<f64>,
    latency: Option<(Duration, f64)>,
    period: Duration,
    windows: Vec<BurnWindow>,
    labels: BTreeMap<String, String>,
}

impl Objective {
    /// An objective called `name` (the `slo` label) of the function `function` of
    /// module `module` (the `function` and `module` labels of its metrics), with no
    /// target yet, a 30-day period and the default windows (those of the SRE workbook, see [`BurnWindow`]).
    pub fn new(name: &str, module: &str, function: &str) -> Self {
        Objective::of(
            name,
            ObjectiveTarget::Function {
                module: module.to_owned(),
                function: function.to_owned(),
            },
        )
    }

    /// An objective called `name` of the HTTP route `route` (the matched template,
    /// `/orders/{id}`, the `http_route` label of the RED layer's
    /// `http_server_request_duration_seconds`): a failed request is one answered
    /// with a 5xx status. [`Objective::method`] narrows it to one method.
    ///
    /// ```
    /// use std::time::Duration;
    /// use monitor_runtime::alerts::{AlertSet, Objective};
    ///
    /// let orders = Objective::http_route("orders_api", "/orders/{id}")
    ///     .method("GET")
    ///     .success(0.995)
    ///     .latency(Duration::from_millis(500), 0.99);
    /// let yaml = AlertSet::new("shop").objective(orders).rules().to_yaml();
    /// assert!(yaml.contains("http_route=\"/orders/{id}\""));
    /// ```
    pub fn http_route(name: &str, route: &str) -> Self {
        Objective::of(
            name,
            ObjectiveTarget::Route {
                route: route.to_owned(),
                method: None,
            },
        )
    }

    /// Narrows an HTTP route objective to the requests of one method (`GET`); no
    /// effect on a function's objective.
    pub fn method(mut self, method: &str) -> Self {
        if let ObjectiveTarget::Route { method: slot, .. } = &mut self.target {
            *slot = Some(method.to_owned());
        }
        self
    }

    fn of(name: &str, target: ObjectiveTarget) -> Self {
        Objective {
            name: name.to_owned(),
            target,
            success: None,
            latency: None,
            period: days(30),
            windows: default_burn_windows(),
            labels: BTreeMap::new(),
        }
    }

    /// Calls that succeed, as a ratio in (0, 1): `0.999` is 99.9 %.
    ///
    /// # Panics
    ///
    /// When `ratio` is not in (0, 1).
    pub fn success(mut self, ratio: f64) -> Self {
        assert_ratio(ratio);
        self.success = Some(ratio);
        self
    }

    /// A share of calls (in (0, 1)) that take at most `threshold`. The threshold
    /// must be a bucket bound of `function_calls_duration_seconds` (of
    /// `http_server_request_duration_seconds` for a route: the default bounds of
    /// both run from 100 µs to 10 s, with 0.25, 0.5, 1 and 2 s among them).
    ///
    /// # Panics
    ///
    /// When `share` is not in (0, 1) or `threshold` is zero.
    pub fn latency(mut self, threshold: Duration, share: f64) -> Self {
        assert_ratio(share);
        assert!(!threshold.is_zero(), "a latency threshold must be positive");
        self.latency = Some((threshold, share));
        self
    }

    /// The period the budget is counted over (default 30 days).
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Replaces the period.
    pub fn with_period(mut self, period: Duration) -> Self {
        self.period = period;
        self
    }

    /// Replaces the burn-rate windows (shorter ones for a test).
    pub fn windows(mut self, windows: Vec<BurnWindow>) -> Self {
        self.windows = windows;
        self
    }

    /// Adds a label to the objective's alerts (`team = "payments"`).
    pub fn label(mut self, name: &str, value: &str) -> Self {
        self.labels.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The `objective` label.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the objective is about: a function or an HTTP route.
    pub(crate) fn target(&self) -> &ObjectiveTarget {
        &self.target
    }

    /// The function's `function` label; empty for an HTTP route.
    pub fn function(&self) -> &str {
        match &self.target {
            ObjectiveTarget::Function { function, .. } => function,
            ObjectiveTarget::Route { .. } => "",
        }
    }

    /// The function's `module` label; empty for an HTTP route.
    pub fn module(&self) -> &str {
        match &self.target {
            ObjectiveTarget::Function { module, .. } => module,
            ObjectiveTarget::Route { .. } => "",
        }
    }

    /// The success target, if any.
    pub fn success_target(&self) -> Option<f64> {
        self.success
    }

    /// The latency target, if any.
    pub fn latency_target(&self) -> Option<(Duration, f64)> {
        self.latency
    }

    /// The windows of its burn-rate alerts.
    pub fn burn_windows(&self) -> &[BurnWindow] {
        &self.windows
    }

    /// Its extra labels.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }
}

/// What an [`Objective`] measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ObjectiveTarget {
    /// The calls of a `#[monitored]` function (`function_calls_total`,
    /// `function_calls_duration_seconds`).
    Function {
        /// Its `module` label.
        module: String,
        /// Its `function` label.
        function: String,
    },
    /// The requests of an HTTP route of the RED layer
    /// (`http_server_request_duration_seconds`).
    Route {
        /// Its `http_route` label.
        route: String,
        /// Its `http_request_method` label, when only one method counts.
        method: Option<String>,
    },
}

fn assert_ratio(ratio: f64) {
    assert!(
        ratio > 0.0 && ratio < 1.0,
        "a ratio must be in (0, 1), got {ratio}"
    );
}

/// A threshold alert of the default set: above `threshold` for `for_`, with a
/// severity. Turn it off with [`ServiceAlerts::disable`].
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::alerts::{ServiceAlert, ServiceAlerts};
///
/// let alerts = ServiceAlerts::default().for_(ServiceAlert::CpuNearLimit, Duration::from_secs(1800));
/// let cpu = alerts.get(ServiceAlert::CpuNearLimit).unwrap();
/// assert_eq!(cpu.for_, Duration::from_secs(1800));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    /// The value the measured one must exceed (or fall under, for the free disk).
    pub threshold: f64,
    /// How long it must last.
    pub for_: Duration,
    /// Its severity.
    pub severity: Severity,
}

/// The alerts of the default service set, each named by its alert name.
///
/// ```
/// use monitor_runtime::alerts::{AlertSet, ServiceAlert, ServiceAlerts};
///
/// let set = AlertSet::new("shop")
///     .service_alerts(ServiceAlerts::default().disable(ServiceAlert::DiskSpaceLow));
/// assert!(!set.rules().alerts().any(|alert| alert.alert == "DiskSpaceLow"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceAlert {
    /// `FunctionErrorRatioCritical`: error ratio per function above 5 % for 5 m.
    ErrorRatioCritical,
    /// `FunctionErrorRatioWarning`: error ratio per function above 2 % for 10 m.
    ErrorRatioWarning,
    /// `FunctionLatencyP95Critical`: p95 latency above 2 s for 10 m.
    LatencyCritical,
    /// `FunctionLatencyP95Warning`: p95 latency above 1 s for 15 m.
    LatencyWarning,
    /// `HealthCheckUnhealthy`: a check unhealthy (a failing critical check) for 1 m, critical.
    HealthUnhealthy,
    /// `TargetDown`: the scrape failing for 1 m, critical.
    TargetDown,
    /// `ProcessMemoryNearLimit`: resident memory above 90 % of the limit for 10 m, warning.
    MemoryNearLimit,
    /// `ProcessCpuNearLimit`: CPU above 90 % of the cores allowed for 15 m, warning.
    CpuNearLimit,
    /// `ProcessFileDescriptorsNearLimit`: open files above 90 % of the limit for 5 m, warning.
    FdsNearLimit,
    /// `DiskSpaceLow`: the `DiskSpace` check (free space under its limit, 10 % by default) failing for 5 m, warning.
    DiskSpaceLow,
    /// `BusinessLabelOverflow`: business label sets folded into `__overflow__` in the last 5 m, warning.
    LabelOverflow,
    /// `RegistrationProblems`: `monitor_registration_problems` above 0 for 1 m, warning.
    RegistrationProblems,
}

impl ServiceAlert {
    /// Every alert of the set, in the order of the rule file.
    pub const ALL: [ServiceAlert; 12] = [
        ServiceAlert::ErrorRatioCritical,
        ServiceAlert::ErrorRatioWarning,
        ServiceAlert::LatencyCritical,
        ServiceAlert::LatencyWarning,
        ServiceAlert::HealthUnhealthy,
        ServiceAlert::TargetDown,
        ServiceAlert::MemoryNearLimit,
        ServiceAlert::CpuNearLimit,
        ServiceAlert::FdsNearLimit,
        ServiceAlert::DiskSpaceLow,
        ServiceAlert::LabelOverflow,
        ServiceAlert::RegistrationProblems,
    ];

    /// The `alertname`.
    pub const fn alert_name(self) -> &'static str {
        match self {
            ServiceAlert::ErrorRatioCritical => "FunctionErrorRatioCritical",
            ServiceAlert::ErrorRatioWarning => "FunctionErrorRatioWarning",
            ServiceAlert::LatencyCritical => "FunctionLatencyP95Critical",
            ServiceAlert::LatencyWarning => "FunctionLatencyP95Warning",
            ServiceAlert::HealthUnhealthy => "HealthCheckUnhealthy",
            ServiceAlert::TargetDown => "TargetDown",
            ServiceAlert::MemoryNearLimit => "ProcessMemoryNearLimit",
            ServiceAlert::CpuNearLimit => "ProcessCpuNearLimit",
            ServiceAlert::FdsNearLimit => "ProcessFileDescriptorsNearLimit",
            ServiceAlert::DiskSpaceLow => "DiskSpaceLow",
            ServiceAlert::LabelOverflow => "BusinessLabelOverflow",
            ServiceAlert::RegistrationProblems => "RegistrationProblems",
        }
    }

    /// The documented default: threshold, duration, severity.
    pub const fn default_threshold(self) -> Threshold {
        use Severity::{Critical, Warning};
        let (threshold, for_, severity) = match self {
            ServiceAlert::ErrorRatioCritical => (0.05, mins(5), Critical),
            ServiceAlert::ErrorRatioWarning => (0.02, mins(10), Warning),
            ServiceAlert::LatencyCritical => (2.0, mins(10), Critical),
            ServiceAlert::LatencyWarning => (1.0, mins(15), Warning),
            ServiceAlert::HealthUnhealthy => (0.0, mins(1), Critical),
            ServiceAlert::TargetDown => (0.0, mins(1), Critical),
            ServiceAlert::MemoryNearLimit => (0.9, mins(10), Warning),
            ServiceAlert::CpuNearLimit => (0.9, mins(15), Warning),
            ServiceAlert::FdsNearLimit => (0.9, mins(5), Warning),
            ServiceAlert::DiskSpaceLow => (0.1, mins(5), Warning),
            ServiceAlert::LabelOverflow => (0.0, Duration::ZERO, Warning),
            ServiceAlert::RegistrationProblems => (0.0, mins(1), Warning),
        };
        Threshold {
            threshold,
            for_,
            severity,
        }
    }
}

/// The default service alerts, each changeable or turned off.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::alerts::{ServiceAlert, ServiceAlerts};
///
/// let alerts = ServiceAlerts::default()
///     .threshold(ServiceAlert::ErrorRatioCritical, 0.10)
///     .for_(ServiceAlert::ErrorRatioCritical, Duration::from_secs(120))
///     .disable(ServiceAlert::CpuNearLimit);
/// assert!(alerts.get(ServiceAlert::CpuNearLimit).is_none());
/// assert_eq!(alerts.get(ServiceAlert::ErrorRatioCritical).unwrap().threshold, 0.10);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceAlerts {
    enabled: BTreeMap<ServiceAlert, Threshold>,
    /// The range of `rate()` in the error-ratio, latency, CPU and overflow alerts.
    pub(crate) rate_window: Duration,
    /// The `job` of `TargetDown`, every target when `None`.
    pub(crate) up_job: Option<String>,
    /// The memory limit in bytes; `process_virtual_memory_max_bytes` when `None`.
    pub(crate) memory_limit: Option<u64>,
    /// The cores the process may use.
    pub(crate) cpu_cores: f64,
    /// The name of the `DiskSpace` check.
    pub(crate) disk_check: String,
}

impl Default for ServiceAlerts {
    fn default() -> Self {
        ServiceAlerts {
            enabled: ServiceAlert::ALL
                .into_iter()
                .map(|alert| (alert, alert.default_threshold()))
                .collect(),
            rate_window: mins(5),
            up_job: None,
            memory_limit: None,
            cpu_cores: 1.0,
            disk_check: "disk_space".to_owned(),
        }
    }
}

impl ServiceAlerts {
    /// No default alert at all.
    pub fn none() -> Self {
        ServiceAlerts {
            enabled: BTreeMap::new(),
            ..ServiceAlerts::default()
        }
    }

    /// Turns `alert` off.
    pub fn disable(mut self, alert: ServiceAlert) -> Self {
        self.enabled.remove(&alert);
        self
    }

    /// Turns `alert` back on with its default.
    pub fn enable(mut self, alert: ServiceAlert) -> Self {
        self.enabled.insert(alert, alert.default_threshold());
        self
    }

    /// Replaces `alert`'s threshold (turning it on).
    pub fn threshold(mut self, alert: ServiceAlert, threshold: f64) -> Self {
        self.enabled
            .entry(alert)
            .or_insert(alert.default_threshold())
            .threshold = threshold;
        self
    }

    /// Replaces how long `alert`'s condition must hold (turning it on).
    pub fn for_(mut self, alert: ServiceAlert, duration: Duration) -> Self {
        self.enabled
            .entry(alert)
            .or_insert(alert.default_threshold())
            .for_ = duration;
        self
    }

    /// Replaces `alert`'s severity (turning it on).
    pub fn severity(mut self, alert: ServiceAlert, severity: Severity) -> Self {
        self.enabled
            .entry(alert)
            .or_insert(alert.default_threshold())
            .severity = severity;
        self
    }

    /// The range of `rate()` in the ratio, latency, CPU and overflow alerts (default 5 m).
    pub fn rate_window(mut self, window: Duration) -> Self {
        self.rate_window = window;
        self
    }

    /// Restricts `TargetDown` to the targets of `job`.
    pub fn job(mut self, job: &str) -> Self {
        self.up_job = Some(job.to_owned());
        self
    }

    /// The memory the process may use, in bytes (default: `process_virtual_memory_max_bytes`).
    pub fn memory_limit_bytes(mut self, bytes: u64) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// The CPU cores the process may use (default 1).
    pub fn cpu_cores(mut self, cores: f64) -> Self {
        self.cpu_cores = cores;
        self
    }

    /// The name of the `DiskSpace` health check (default `disk_space`).
    pub fn disk_check(mut self, name: &str) -> Self {
        self.disk_check = name.to_owned();
        self
    }

    /// `alert`'s settings, `None` when it is off.
    pub fn get(&self, alert: ServiceAlert) -> Option<Threshold> {
        self.enabled.get(&alert).copied()
    }

    /// The alerts turned on, with their settings.
    pub fn enabled(&self) -> impl Iterator<Item = (ServiceAlert, Threshold)> + '_ {
        self.enabled
            .iter()
            .map(|(alert, threshold)| (*alert, *threshold))
    }
}

/// What a business alert compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BusinessCondition {
    /// A counter's rate per second over `window` above the value (a spike of failed logins).
    RateAbove(f64),
    /// A counter's rate per second over `window` below the value (no sign-ups for an hour).
    RateBelow(f64),
    /// A gauge above the value.
    GaugeAbove(f64),
    /// A gauge below the value.
    GaugeBelow(f64),
}

/// An alert on a business metric.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::alerts::{BusinessAlert, Severity};
///
/// let spike = BusinessAlert::rate_above("login_failures_total", 5.0)
///     .window(Duration::from_secs(300))
///     .severity(Severity::Critical);
/// assert_eq!(spike.alert_name(), "LoginFailuresTotalRateAbove");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessAlert {
    pub(crate) metric: String,
    pub(crate) condition: BusinessCondition,
    pub(crate) window: Duration,
    pub(crate) for_: Duration,
    pub(crate) severity: Severity,
    pub(crate) name: Option<String>,
}

impl BusinessAlert {
    fn new(metric: &str, condition: BusinessCondition) -> Self {
        BusinessAlert {
            metric: metric.to_owned(),
            condition,
            window: mins(5),
            for_: Duration::ZERO,
            severity: Severity::Warning,
            name: None,
        }
    }

    /// Fires while `sum(rate(metric[window]))` is above `per_second`.
    pub fn rate_above(metric: &str, per_second: f64) -> Self {
        BusinessAlert::new(metric, BusinessCondition::RateAbove(per_second))
    }

    /// Fires while `sum(rate(metric[window]))` is below `per_second` (also when the
    /// metric has no series).
    pub fn rate_below(metric: &str, per_second: f64) -> Self {
        BusinessAlert::new(metric, BusinessCondition::RateBelow(per_second))
    }

    /// Fires while the gauge (its largest series) is above `value`.
    pub fn gauge_above(metric: &str, value: f64) -> Self {
        BusinessAlert::new(metric, BusinessCondition::GaugeAbove(value))
    }

    /// Fires while the gauge (its smallest series) is below `value`.
    pub fn gauge_below(metric: &str, value: f64) -> Self {
        BusinessAlert::new(metric, BusinessCondition::GaugeBelow(value))
    }

    /// The range of the rate (default 5 m).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// How long the condition must hold (default 0: at once).
    pub fn for_(mut self, duration: Duration) -> Self {
        self.for_ = duration;
        self
    }

    /// Its severity (default warning).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Replaces the alert's name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// The `alertname`: the metric in CamelCase and the condition
    /// (`LoginFailuresTotalRateAbove`), unless [named](Self::named).
    pub fn alert_name(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        let camel: String = self
            .metric
            .split('_')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        let suffix = match self.condition {
            BusinessCondition::RateAbove(_) => "RateAbove",
            BusinessCondition::RateBelow(_) => "RateBelow",
            BusinessCondition::GaugeAbove(_) => "Above",
            BusinessCondition::GaugeBelow(_) => "Below",
        };
        camel + suffix
    }

    /// The metric it watches.
    pub fn metric(&self) -> &str {
        &self.metric
    }
}

/// A PromQL string literal's content.
pub(crate) fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A PromQL duration literal.
pub(crate) fn range(duration: Duration) -> String {
    promql(duration)
}
