//! From the typed definitions to rule groups. Every expression aggregates over
//! instances first (`sum by (function, module) (rate(...))`) and divides after, so
//! the rules hold for one replica or many.

use std::collections::BTreeMap;
use std::time::Duration;

use super::model::{
    BurnWindow, BusinessAlert, BusinessCondition, Objective, ObjectiveTarget, ServiceAlert,
    ServiceAlerts, Severity, range,
};
use super::query::{Aggregation, Comparison, Condition, Labels, Matcher, Query, Selector};
use super::rules::{AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup};

/// Everything one service alerts on: objectives, the default service alerts,
/// business alerts. [`AlertSet::rules`] renders it as a Prometheus rule file.
///
/// ```
/// use monitor_runtime::alerts::{AlertSet, BusinessAlert, Objective};
///
/// let rules = AlertSet::new("shop")
///     .objective(Objective::new("checkout", "shop::orders", "checkout").success(0.999))
///     .business(BusinessAlert::rate_above("login_failures_total", 5.0))
///     .rules();
/// let yaml = rules.to_yaml();
/// assert!(yaml.contains("alert: CheckoutErrorBudgetBurnPage"));
/// assert!(yaml.contains("alert: FunctionErrorRatioCritical"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSet {
    service: String,
    objectives: Vec<Objective>,
    service_alerts: ServiceAlerts,
    business: Vec<BusinessAlert>,
    burn_windows: Option<Vec<BurnWindow>>,
}

impl AlertSet {
    /// The alerts of `service` (the prefix of the group names), with the default
    /// service alerts and nothing else.
    pub fn new(service: &str) -> Self {
        AlertSet {
            service: service.to_owned(),
            objectives: Vec::new(),
            service_alerts: ServiceAlerts::default(),
            business: Vec::new(),
            burn_windows: None,
        }
    }

    /// The alerts of `service` with everything declared in the code: the
    /// objectives of `#[monitored(objective(...))]` functions and the alerts of
    /// `#[business_metric(..., alert(...))]` metrics, next to the default service
    /// alerts. Until [`configure`](super::configure) is called, the process' definitions
    /// are these (for a service called `monitor`).
    ///
    /// ```
    /// use monitor_runtime::alerts::AlertSet;
    ///
    /// // No annotated objective in this doctest: only the default service alerts.
    /// let set = AlertSet::annotated("shop");
    /// assert!(set.rules().alerts().any(|alert| alert.alert == "FunctionErrorRatioCritical"));
    /// ```
    pub fn annotated(service: &str) -> Self {
        let mut set = AlertSet::new(service);
        set.objectives.extend(super::annotations::objectives());
        set.business.extend(super::annotations::business_alerts());
        set
    }

    /// Replaces the burn-rate windows of every objective, declared in code or
    /// added: shorter ones for a test or a staging environment.
    ///
    /// ```
    /// use std::time::Duration;
    /// use monitor_runtime::alerts::{AlertSet, BurnWindow, Objective, Severity};
    ///
    /// let fast = vec![BurnWindow {
    ///     long: Duration::from_secs(20),
    ///     short: Duration::from_secs(5),
    ///     factor: 14.4,
    ///     severity: Severity::Critical,
    /// }];
    /// let set = AlertSet::new("test")
    ///     .objective(Objective::new("answer", "app", "answer").success(0.99))
    ///     .burn_windows(fast);
    /// assert!(set.rules().to_yaml().contains("rate20s"));
    /// ```
    pub fn burn_windows(mut self, windows: Vec<BurnWindow>) -> Self {
        self.burn_windows = Some(windows);
        self
    }

    /// Adds an objective.
    pub fn objective(mut self, objective: Objective) -> Self {
        self.objectives.push(objective);
        self
    }

    /// Replaces the default service alerts.
    pub fn service_alerts(mut self, alerts: ServiceAlerts) -> Self {
        self.service_alerts = alerts;
        self
    }

    /// Adds a business alert.
    pub fn business(mut self, alert: BusinessAlert) -> Self {
        self.business.push(alert);
        self
    }

    /// The objectives.
    pub fn objectives(&self) -> &[Objective] {
        &self.objectives
    }

    /// The business alerts.
    pub fn business_alerts(&self) -> &[BusinessAlert] {
        &self.business
    }

    /// The typed groups: one of recording rules and one of alerts per objective,
    /// one of service alerts, one of business alerts (empty groups left out).
    pub(crate) fn definitions(&self) -> Vec<DefinitionGroup> {
        let mut groups = Vec::new();
        for objective in &self.objectives {
            let objective = match &self.burn_windows {
                Some(windows) => objective.clone().windows(windows.clone()),
                None => objective.clone(),
            };
            groups.extend(objective_groups(&objective));
        }
        let service = service_rules(&self.service_alerts);
        if !service.is_empty() {
            groups.push(DefinitionGroup {
                name: format!("{}-service", self.service),
                definitions: service,
            });
        }
        let business: Vec<Definition> = self.business.iter().map(business_rule).collect();
        if !business.is_empty() {
            groups.push(DefinitionGroup {
                name: format!("{}-business", self.service),
                definitions: business,
            });
        }
        groups
    }

    /// Every alert with its typed condition, for the embedded evaluator.
    pub(crate) fn alert_definitions(&self) -> Vec<AlertDefinition> {
        self.definitions()
            .into_iter()
            .flat_map(|group| group.definitions)
            .filter_map(|definition| match definition {
                Definition::Alert(alert) => Some(alert),
                Definition::Record(_) => None,
            })
            .collect()
    }

    /// The rule file: one group of recording rules and one of alerts per objective,
    /// one group of service alerts, one of business alerts (empty groups left out).
    pub fn rules(&self) -> RuleFile {
        RuleFile {
            groups: self
                .definitions()
                .into_iter()
                .map(|group| RuleGroup {
                    name: group.name,
                    interval: None,
                    rules: group.definitions.iter().map(Definition::rule).collect(),
                })
                .collect(),
        }
    }
}

/// A group of typed definitions, one rule group of the file.
pub(crate) struct DefinitionGroup {
    pub(crate) name: String,
    pub(crate) definitions: Vec<Definition>,
}

/// A recording rule or an alert, typed.
pub(crate) enum Definition {
    Record(RecordDefinition),
    Alert(AlertDefinition),
}

/// A recording rule: the series `record` from `query`, with `labels` added.
pub(crate) struct RecordDefinition {
    pub(crate) record: String,
    pub(crate) query: Query,
    pub(crate) labels: Labels,
}

/// An alert: its name, condition, `for`, labels and annotation templates.
#[derive(Debug, Clone)]
pub(crate) struct AlertDefinition {
    pub(crate) name: String,
    pub(crate) condition: Condition,
    pub(crate) for_: Duration,
    pub(crate) labels: Labels,
    pub(crate) annotations: Labels,
    /// Whether the process can evaluate it on its own (not `TargetDown`: a process
    /// does not see itself unscraped).
    pub(crate) in_process: bool,
}

impl Definition {
    fn rule(&self) -> Rule {
        match self {
            Definition::Record(record) => Rule::Recording(RecordingRule {
                record: record.record.clone(),
                expr: record.query.render(),
                labels: record.labels.clone(),
            }),
            Definition::Alert(alert) => Rule::Alerting(AlertingRule {
                alert: alert.name.clone(),
                expr: alert.condition.render(),
                for_: for_(alert.for_),
                labels: alert.labels.clone(),
                annotations: alert.annotations.clone(),
            }),
        }
    }
}

/// The recorded error ratio of objective kind `kind` (`requests`, `latency`) over `window`.
pub(crate) fn ratio_record(kind: &str, window: Duration) -> String {
    format!("monitor_slo:{kind}_error_ratio:rate{}", range(window))
}

fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn rate(metric: &str, matchers: Vec<Matcher>, window: Duration, by: &[&str]) -> Query {
    Query::Rate {
        selector: Selector::new(metric, matchers),
        window,
        aggregation: Aggregation::sum(by),
        increase: false,
    }
}

fn div(lhs: Query, rhs: Query) -> Query {
    Query::Div(Box::new(lhs), Box::new(rhs))
}

/// What an objective's queries select and keep: the metrics, the matchers of its
/// target and the labels its ratios are summed by (every other one, `instance` and
/// `pod` among them, is summed away, so the ratio is the service's).
struct Measured {
    /// `function_calls_total` or the request-duration `_count`.
    calls: &'static str,
    /// The matcher that makes a call an error.
    error: Matcher,
    /// `function_calls_duration_seconds` or `http_server_request_duration_seconds`.
    histogram: &'static str,
    matchers: Vec<Matcher>,
    by: Vec<&'static str>,
}

impl Measured {
    fn of(objective: &Objective) -> Self {
        match objective.target() {
            ObjectiveTarget::Function { module, function } => Measured {
                calls: "function_calls_total",
                error: Matcher::eq("result", "error"),
                histogram: "function_calls_duration_seconds",
                matchers: vec![
                    Matcher::eq("function", function),
                    Matcher::eq("module", module),
                ],
                by: vec!["function", "module"],
            },
            ObjectiveTarget::Route { route, method } => {
                let mut matchers = vec![Matcher::eq("http_route", route)];
                let mut by = vec!["http_route"];
                if let Some(method) = method {
                    matchers.push(Matcher::eq("http_request_method", method));
                    by.push("http_request_method");
                }
                Measured {
                    calls: "http_server_request_duration_seconds_count",
                    error: Matcher::ServerError("http_response_status_code".to_owned()),
                    histogram: "http_server_request_duration_seconds",
                    matchers,
                    by,
                }
            }
        }
    }

    fn with(&self, extra: Matcher) -> Vec<Matcher> {
        let mut matchers = self.matchers.clone();
        matchers.push(extra);
        matchers
    }

    /// Failed calls over calls.
    fn error_ratio(&self, window: Duration) -> Query {
        div(
            rate(self.calls, self.with(self.error.clone()), window, &self.by),
            rate(self.calls, self.matchers.clone(), window, &self.by),
        )
    }

    /// Calls slower than `threshold` over calls.
    fn slow_ratio(&self, threshold: Duration, window: Duration) -> Query {
        let count = format!("{}_count", self.histogram);
        let bucket = format!("{}_bucket", self.histogram);
        let count = |matchers| Query::Rate {
            selector: Selector::new(&count, matchers),
            window,
            aggregation: Aggregation::Sum(self.by.iter().map(|l| (*l).to_owned()).collect()),
            increase: false,
        };
        div(
            Query::Sub(
                Box::new(count(self.matchers.clone())),
                Box::new(rate(
                    &bucket,
                    self.with(Matcher::Bound(threshold.as_secs_f64())),
                    window,
                    &self.by,
                )),
            ),
            count(self.matchers.clone()),
        )
    }
}

fn objective_groups(objective: &Objective) -> Vec<DefinitionGroup> {
    let measured = Measured::of(objective);
    let mut windows: Vec<Duration> = objective
        .burn_windows()
        .iter()
        .flat_map(|window| [window.long, window.short])
        .collect();
    windows.sort();
    windows.dedup();
    let mut labels = objective.labels().clone();
    labels.insert("objective".to_owned(), objective.name().to_owned());
    let mut kinds: Vec<(&str, f64)> = Vec::new();
    if let Some(success) = objective.success_target() {
        kinds.push(("requests", success));
    }
    if let Some((_, share)) = objective.latency_target() {
        kinds.push(("latency", share));
    }
    let ratio = |kind: &str, window: Duration| match (kind, objective.latency_target()) {
        ("latency", Some((threshold, _))) => measured.slow_ratio(threshold, window),
        _ => measured.error_ratio(window),
    };
    let what_of = match objective.target() {
        ObjectiveTarget::Function { .. } => "{{ $labels.module }}::{{ $labels.function }}",
        ObjectiveTarget::Route { .. } => "route {{ $labels.http_route }}",
    };
    let subject = match objective.target() {
        ObjectiveTarget::Function { .. } => "{{ $labels.function }}",
        ObjectiveTarget::Route { .. } => "{{ $labels.http_route }}",
    };
    let mut recording = Vec::new();
    let mut alerts = Vec::new();
    for (kind, target) in &kinds {
        for window in &windows {
            recording.push(Definition::Record(RecordDefinition {
                record: ratio_record(kind, *window),
                query: ratio(kind, *window),
                labels: labels.clone(),
            }));
        }
        let budget = 1.0 - target;
        let recorded = |window: Duration| Query::Recorded {
            record: ratio_record(kind, window),
            matchers: vec![Matcher::eq("objective", objective.name())],
            query: Box::new(ratio(kind, window)),
            labels: labels.clone(),
        };
        for severity in [Severity::Critical, Severity::Warning] {
            let pairs: Vec<Condition> = objective
                .burn_windows()
                .iter()
                .filter(|window| window.severity == severity)
                .map(|window| {
                    let threshold = window.factor * budget;
                    Condition::And(
                        Box::new(Condition::compare(
                            recorded(window.long),
                            Comparison::Above,
                            threshold,
                        )),
                        Box::new(Condition::compare(
                            recorded(window.short),
                            Comparison::Above,
                            threshold,
                        )),
                    )
                })
                .collect();
            if pairs.is_empty() {
                continue;
            }
            let (suffix, what) = match severity {
                Severity::Critical => ("Page", "fast"),
                Severity::Warning => ("Ticket", "slow"),
            };
            let kind_name = if *kind == "latency" {
                "Latency"
            } else {
                "Error"
            };
            let mut alert_labels = labels.clone();
            alert_labels.insert("severity".to_owned(), severity.as_str().to_owned());
            match objective.target() {
                ObjectiveTarget::Function { module, function } => {
                    alert_labels.insert("function".to_owned(), function.clone());
                    alert_labels.insert("module".to_owned(), module.clone());
                }
                ObjectiveTarget::Route { route, method } => {
                    alert_labels.insert("http_route".to_owned(), route.clone());
                    if let Some(method) = method {
                        alert_labels.insert("http_request_method".to_owned(), method.clone());
                    }
                }
            }
            let objective_text = if *kind == "latency" {
                let (threshold, share) = objective.latency_target().expect("latency kind");
                format!("{}% of calls within {}", percent(share), range(threshold))
            } else {
                format!("{}% of calls succeeding", percent(*target))
            };
            alerts.push(Definition::Alert(AlertDefinition {
                name: format!("{}{kind_name}BudgetBurn{suffix}", camel(objective.name())),
                condition: if pairs.len() == 1 {
                    pairs.into_iter().next().expect("one pair")
                } else {
                    Condition::Or(pairs)
                },
                for_: Duration::ZERO,
                labels: alert_labels,
                annotations: BTreeMap::from([
                    (
                        "summary".to_owned(),
                        format!(
                            "{subject} is burning its {} error budget {what}",
                            objective.name()
                        ),
                    ),
                    (
                        "description".to_owned(),
                        format!(
                            "Objective {} ({objective_text} over {}): {{{{ $value | humanizePercentage }}}} of calls of {what_of} missed it over the long window.",
                            objective.name(),
                            range(objective.period())
                        ),
                    ),
                ]),
                in_process: true,
            }));
        }
    }
    let group = format!("slo-{}", objective.name());
    vec![
        DefinitionGroup {
            name: format!("{group}-recording"),
            definitions: recording,
        },
        DefinitionGroup {
            name: format!("{group}-alerts"),
            definitions: alerts,
        },
    ]
}

/// `ratio` as a percentage with no float noise (`0.05` is `5`, `0.999` is `99.9`).
fn percent(ratio: f64) -> f64 {
    (ratio * 100.0 * 1e9).round() / 1e9
}

fn for_(duration: Duration) -> Option<String> {
    (!duration.is_zero()).then(|| range(duration))
}

fn alert(
    name: &str,
    condition: Condition,
    duration: Duration,
    severity: Severity,
    summary: &str,
    description: &str,
) -> Definition {
    Definition::Alert(AlertDefinition {
        name: name.to_owned(),
        condition,
        for_: duration,
        labels: BTreeMap::from([("severity".to_owned(), severity.as_str().to_owned())]),
        annotations: BTreeMap::from([
            ("summary".to_owned(), summary.to_owned()),
            ("description".to_owned(), description.to_owned()),
        ]),
        in_process: true,
    })
}

fn gauge(metric: &str, matchers: Vec<Matcher>, aggregation: Aggregation) -> Query {
    Query::Gauge {
        selector: Selector::new(metric, matchers),
        aggregation,
    }
}

fn labels(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

fn service_rules(config: &ServiceAlerts) -> Vec<Definition> {
    let window = config.rate_window;
    let text = range(window);
    config
        .enabled()
        .map(|(kind, t)| {
            let value = t.threshold;
            let name = kind.alert_name();
            match kind {
                ServiceAlert::ErrorRatioCritical | ServiceAlert::ErrorRatioWarning => alert(
                    name,
                    Condition::compare(
                        div(
                            rate(
                                "function_calls_total",
                                vec![Matcher::eq("result", "error")],
                                window,
                                &["function", "module"],
                            ),
                            rate("function_calls_total", Vec::new(), window, &["function", "module"]),
                        ),
                        Comparison::Above,
                        value,
                    ),
                    t.for_,
                    t.severity,
                    "{{ $labels.function }} fails too often",
                    &format!(
                        "{{{{ $value | humanizePercentage }}}} of calls of {{{{ $labels.module }}}}::{{{{ $labels.function }}}} failed over {text} (threshold {}%).",
                        percent(value)
                    ),
                ),
                ServiceAlert::LatencyCritical | ServiceAlert::LatencyWarning => alert(
                    name,
                    Condition::compare(
                        Query::Quantile {
                            quantile: 0.95,
                            selector: Selector::new(
                                "function_calls_duration_seconds_bucket",
                                Vec::new(),
                            ),
                            window,
                            by: labels(&["function", "module"]),
                        },
                        Comparison::Above,
                        value,
                    ),
                    t.for_,
                    t.severity,
                    "{{ $labels.function }} is slow",
                    &format!(
                        "p95 latency of {{{{ $labels.module }}}}::{{{{ $labels.function }}}} is {{{{ $value | humanizeDuration }}}} (threshold {value}s)."
                    ),
                ),
                ServiceAlert::HealthUnhealthy => alert(
                    name,
                    Condition::compare(
                        gauge(
                            "health_check_status",
                            vec![Matcher::eq("status", "unhealthy")],
                            Aggregation::Max(labels(&["check", "probe"])),
                        ),
                        Comparison::Equal,
                        1.0,
                    ),
                    t.for_,
                    t.severity,
                    "health check {{ $labels.check }} is unhealthy",
                    "The {{ $labels.probe }} check {{ $labels.check }} is unhealthy on at least one instance.",
                ),
                ServiceAlert::TargetDown => {
                    let matchers = config
                        .up_job
                        .iter()
                        .map(|job| Matcher::eq("job", job))
                        .collect();
                    let mut definition = alert(
                        name,
                        Condition::compare(
                            gauge("up", matchers, Aggregation::None),
                            Comparison::Equal,
                            0.0,
                        ),
                        t.for_,
                        t.severity,
                        "{{ $labels.instance }} is down",
                        "Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }}.",
                    );
                    if let Definition::Alert(alert) = &mut definition {
                        alert.in_process = false;
                    }
                    definition
                }
                ServiceAlert::MemoryNearLimit => {
                    let limit = match config.memory_limit {
                        Some(bytes) => Query::DivScalar(
                            Box::new(gauge(
                                "process_resident_memory_bytes",
                                Vec::new(),
                                Aggregation::None,
                            )),
                            bytes as f64,
                        ),
                        None => div(
                            gauge("process_resident_memory_bytes", Vec::new(), Aggregation::None),
                            Query::Positive(Box::new(gauge(
                                "process_virtual_memory_max_bytes",
                                Vec::new(),
                                Aggregation::None,
                            ))),
                        ),
                    };
                    alert(
                        name,
                        Condition::compare(limit, Comparison::Above, value),
                        t.for_,
                        t.severity,
                        "{{ $labels.instance }} is near its memory limit",
                        "Resident memory is {{ $value | humanizePercentage }} of the limit.",
                    )
                }
                ServiceAlert::CpuNearLimit => alert(
                    name,
                    Condition::compare(
                        Query::DivScalar(
                            Box::new(Query::Rate {
                                selector: Selector::new("process_cpu_seconds_total", Vec::new()),
                                window,
                                aggregation: Aggregation::None,
                                increase: false,
                            }),
                            config.cpu_cores,
                        ),
                        Comparison::Above,
                        value,
                    ),
                    t.for_,
                    t.severity,
                    "{{ $labels.instance }} is near its CPU limit",
                    "CPU use is {{ $value | humanizePercentage }} of the cores allowed.",
                ),
                ServiceAlert::FdsNearLimit => alert(
                    name,
                    Condition::compare(
                        div(
                            gauge("process_open_fds", Vec::new(), Aggregation::None),
                            gauge("process_max_fds", Vec::new(), Aggregation::None),
                        ),
                        Comparison::Above,
                        value,
                    ),
                    t.for_,
                    t.severity,
                    "{{ $labels.instance }} is near its open files limit",
                    "Open files are {{ $value | humanizePercentage }} of the limit.",
                ),
                ServiceAlert::DiskSpaceLow => alert(
                    name,
                    Condition::compare(
                        gauge(
                            "health_check_status",
                            vec![
                                Matcher::eq("check", &config.disk_check),
                                Matcher::Ne("status".to_owned(), "healthy".to_owned()),
                            ],
                            Aggregation::Max(labels(&["check"])),
                        ),
                        Comparison::Equal,
                        1.0,
                    ),
                    t.for_,
                    t.severity,
                    "free disk space is low",
                    &format!(
                        "The {{{{ $labels.check }}}} check reports less free space than its limit (by default {}%).",
                        percent(value)
                    ),
                ),
                ServiceAlert::LabelOverflow => alert(
                    name,
                    Condition::compare(
                        Query::Rate {
                            selector: Selector::new("monitor_label_overflow_total", Vec::new()),
                            window,
                            aggregation: Aggregation::sum(&["metric"]),
                            increase: true,
                        },
                        Comparison::Above,
                        value,
                    ),
                    t.for_,
                    t.severity,
                    "{{ $labels.metric }} has more label sets than its limit",
                    "{{ $value }} updates of {{ $labels.metric }} went to its __overflow__ series.",
                ),
                ServiceAlert::RegistrationProblems => alert(
                    name,
                    Condition::compare(
                        gauge(
                            "monitor_registration_problems",
                            Vec::new(),
                            Aggregation::Max(Vec::new()),
                        ),
                        Comparison::Above,
                        value,
                    ),
                    t.for_,
                    t.severity,
                    "metrics could not all be registered",
                    "{{ $value }} registration problems at start-up: see the service's log.",
                ),
            }
        })
        .collect()
}

fn business_rule(business: &BusinessAlert) -> Definition {
    let metric = &business.metric;
    let window = business.window;
    let text = range(window);
    let summed = || rate(metric, Vec::new(), window, &[]);
    let (condition, description) = match business.condition {
        BusinessCondition::RateAbove(value) => (
            Condition::compare(summed(), Comparison::Above, value),
            format!("{metric} rises by {{{{ $value }}}}/s over {text} (threshold {value}/s)."),
        ),
        BusinessCondition::RateBelow(value) => (
            Condition::compare(Query::OrZero(Box::new(summed())), Comparison::Below, value),
            format!("{metric} rises by {{{{ $value }}}}/s over {text} (threshold {value}/s)."),
        ),
        BusinessCondition::GaugeAbove(value) => (
            Condition::compare(
                gauge(metric, Vec::new(), Aggregation::Max(Vec::new())),
                Comparison::Above,
                value,
            ),
            format!("{metric} is {{{{ $value }}}} (threshold {value})."),
        ),
        BusinessCondition::GaugeBelow(value) => (
            Condition::compare(
                gauge(metric, Vec::new(), Aggregation::Min(Vec::new())),
                Comparison::Below,
                value,
            ),
            format!("{metric} is {{{{ $value }}}} (threshold {value})."),
        ),
    };
    let mut definition = alert(
        &business.alert_name(),
        condition,
        business.for_,
        business.severity,
        &format!("{metric} is out of its expected range"),
        &description,
    );
    if let Definition::Alert(alerting) = &mut definition {
        alerting.labels.insert("metric".to_owned(), metric.clone());
    }
    definition
}
