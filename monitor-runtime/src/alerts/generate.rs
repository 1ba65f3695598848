//! From the typed definitions to rule groups. Every expression aggregates over
//! instances first (`sum by (function, module) (rate(...))`) and divides after, so
//! the rules hold for one replica or many.

use std::collections::BTreeMap;
use std::time::Duration;

use super::model::{
    BusinessAlert, BusinessCondition, Objective, ServiceAlert, ServiceAlerts, Severity, escape,
    range,
};
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
        }
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

    /// The rule file: one group of recording rules and one of alerts per objective,
    /// one group of service alerts, one of business alerts (empty groups left out).
    pub fn rules(&self) -> RuleFile {
        let mut groups = Vec::new();
        for objective in &self.objectives {
            groups.extend(objective_groups(objective));
        }
        let service = service_rules(&self.service_alerts);
        if !service.is_empty() {
            groups.push(RuleGroup {
                name: format!("{}-service", self.service),
                interval: None,
                rules: service,
            });
        }
        let business: Vec<Rule> = self.business.iter().map(business_rule).collect();
        if !business.is_empty() {
            groups.push(RuleGroup {
                name: format!("{}-business", self.service),
                interval: None,
                rules: business,
            });
        }
        RuleFile { groups }
    }
}

/// The recorded error ratio of objective kind `kind` (`requests`, `latency`) over `window`.
pub fn ratio_record(kind: &str, window: Duration) -> String {
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

/// The `le` matcher of a bucket bound as the prometheus crate writes it (`0.25`,
/// `1`), also matching the float form Prometheus 3 normalises integers to (`1.0`).
fn le_matcher(bound: f64) -> String {
    if bound.fract() == 0.0 {
        format!("le=~\"{bound}|{bound}\\\\.0\"")
    } else {
        format!("le=\"{bound}\"")
    }
}

/// The error-ratio expression of one objective kind, given a range.
type RatioExpr = Box<dyn Fn(&str) -> String>;

fn objective_groups(objective: &Objective) -> Vec<RuleGroup> {
    let selector = format!(
        "function=\"{}\",module=\"{}\"",
        escape(objective.function()),
        escape(objective.module())
    );
    let mut windows: Vec<Duration> = objective
        .burn_windows()
        .iter()
        .flat_map(|window| [window.long, window.short])
        .collect();
    windows.sort();
    windows.dedup();
    let mut labels = objective.labels().clone();
    labels.insert("slo".to_owned(), objective.name().to_owned());
    let mut kinds: Vec<(&str, f64, RatioExpr)> = Vec::new();
    if let Some(success) = objective.success_target() {
        let selector = selector.clone();
        kinds.push((
            "requests",
            success,
            Box::new(move |window| {
                format!(
                    "sum by (function, module) (rate(function_calls_total{{{selector},result=\"error\"}}[{window}]))\n/\nsum by (function, module) (rate(function_calls_total{{{selector}}}[{window}]))"
                )
            }),
        ));
    }
    if let Some((threshold, share)) = objective.latency_target() {
        let selector = selector.clone();
        let le = le_matcher(threshold.as_secs_f64());
        kinds.push((
            "latency",
            share,
            Box::new(move |window| {
                format!(
                    "(\n  sum by (function, module) (rate(function_calls_duration_seconds_count{{{selector}}}[{window}]))\n  -\n  sum by (function, module) (rate(function_calls_duration_seconds_bucket{{{selector},{le}}}[{window}]))\n)\n/\nsum by (function, module) (rate(function_calls_duration_seconds_count{{{selector}}}[{window}]))"
                )
            }),
        ));
    }
    let mut recording = Vec::new();
    let mut alerts = Vec::new();
    for (kind, target, expr) in &kinds {
        for window in &windows {
            recording.push(Rule::Recording(RecordingRule {
                record: ratio_record(kind, *window),
                expr: expr(&range(*window)),
                labels: labels.clone(),
            }));
        }
        let budget = 1.0 - target;
        for severity in [Severity::Critical, Severity::Warning] {
            let pairs: Vec<String> = objective
                .burn_windows()
                .iter()
                .filter(|window| window.severity == severity)
                .map(|window| {
                    let threshold = window.factor * budget;
                    format!(
                        "(\n  {long}{{slo=\"{slo}\"}} > {threshold}\n  and\n  {short}{{slo=\"{slo}\"}} > {threshold}\n)",
                        long = ratio_record(kind, window.long),
                        short = ratio_record(kind, window.short),
                        slo = escape(objective.name()),
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
            alert_labels.insert("function".to_owned(), objective.function().to_owned());
            alert_labels.insert("module".to_owned(), objective.module().to_owned());
            let objective_text = if *kind == "latency" {
                let (threshold, share) = objective.latency_target().expect("latency kind");
                format!("{}% of calls within {}", percent(share), range(threshold))
            } else {
                format!("{}% of calls succeeding", percent(*target))
            };
            alerts.push(Rule::Alerting(AlertingRule {
                alert: format!("{}{kind_name}BudgetBurn{suffix}", camel(objective.name())),
                expr: pairs.join("\nor\n"),
                for_: None,
                labels: alert_labels,
                annotations: BTreeMap::from([
                    (
                        "summary".to_owned(),
                        format!(
                            "{{{{ $labels.function }}}} is burning its {} error budget {what}",
                            objective.name()
                        ),
                    ),
                    (
                        "description".to_owned(),
                        format!(
                            "Objective {} ({objective_text} over {}): {{{{ $value | humanizePercentage }}}} of calls of {{{{ $labels.module }}}}::{{{{ $labels.function }}}} missed it over the long window.",
                            objective.name(),
                            range(objective.period())
                        ),
                    ),
                ]),
            }));
        }
    }
    let group = format!("slo-{}", objective.name());
    vec![
        RuleGroup {
            name: format!("{group}-recording"),
            interval: None,
            rules: recording,
        },
        RuleGroup {
            name: format!("{group}-alerts"),
            interval: None,
            rules: alerts,
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
    expr: String,
    duration: Duration,
    severity: Severity,
    summary: &str,
    description: &str,
) -> Rule {
    Rule::Alerting(AlertingRule {
        alert: name.to_owned(),
        expr,
        for_: for_(duration),
        labels: BTreeMap::from([("severity".to_owned(), severity.as_str().to_owned())]),
        annotations: BTreeMap::from([
            ("summary".to_owned(), summary.to_owned()),
            ("description".to_owned(), description.to_owned()),
        ]),
    })
}

fn service_rules(config: &ServiceAlerts) -> Vec<Rule> {
    let window = range(config.rate_window);
    config
        .enabled()
        .map(|(kind, t)| {
            let value = t.threshold;
            let name = kind.alert_name();
            match kind {
                ServiceAlert::ErrorRatioCritical | ServiceAlert::ErrorRatioWarning => alert(
                    name,
                    format!(
                        "sum by (function, module) (rate(function_calls_total{{result=\"error\"}}[{window}]))\n/\nsum by (function, module) (rate(function_calls_total[{window}]))\n> {value}"
                    ),
                    t.for_,
                    t.severity,
                    "{{ $labels.function }} fails too often",
                    &format!(
                        "{{{{ $value | humanizePercentage }}}} of calls of {{{{ $labels.module }}}}::{{{{ $labels.function }}}} failed over {window} (threshold {}%).",
                        percent(value)
                    ),
                ),
                ServiceAlert::LatencyCritical | ServiceAlert::LatencyWarning => alert(
                    name,
                    format!(
                        "histogram_quantile(0.95, sum by (function, module, le) (rate(function_calls_duration_seconds_bucket[{window}])))\n> {value}"
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
                    "max by (check, probe) (health_check_status{status=\"unhealthy\"}) == 1".to_owned(),
                    t.for_,
                    t.severity,
                    "health check {{ $labels.check }} is unhealthy",
                    "The {{ $labels.probe }} check {{ $labels.check }} is unhealthy on at least one instance.",
                ),
                ServiceAlert::TargetDown => alert(
                    name,
                    format!("up{{{}}} == 0", config.up_selector),
                    t.for_,
                    t.severity,
                    "{{ $labels.instance }} is down",
                    "Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }}.",
                ),
                ServiceAlert::MemoryNearLimit => {
                    let limit = config.memory_limit.map_or_else(
                        || "(process_virtual_memory_max_bytes > 0)".to_owned(),
                        |bytes| bytes.to_string(),
                    );
                    alert(
                        name,
                        format!("process_resident_memory_bytes / {limit} > {value}"),
                        t.for_,
                        t.severity,
                        "{{ $labels.instance }} is near its memory limit",
                        "Resident memory is {{ $value | humanizePercentage }} of the limit.",
                    )
                }
                ServiceAlert::CpuNearLimit => alert(
                    name,
                    format!(
                        "rate(process_cpu_seconds_total[{window}]) / {} > {value}",
                        config.cpu_cores
                    ),
                    t.for_,
                    t.severity,
                    "{{ $labels.instance }} is near its CPU limit",
                    "CPU use is {{ $value | humanizePercentage }} of the cores allowed.",
                ),
                ServiceAlert::FdsNearLimit => alert(
                    name,
                    format!("process_open_fds / process_max_fds > {value}"),
                    t.for_,
                    t.severity,
                    "{{ $labels.instance }} is near its open files limit",
                    "Open files are {{ $value | humanizePercentage }} of the limit.",
                ),
                ServiceAlert::DiskSpaceLow => alert(
                    name,
                    format!(
                        "max by (check) (health_check_status{{check=\"{}\",status!=\"healthy\"}}) == 1",
                        escape(&config.disk_check)
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
                    format!("sum by (metric) (increase(monitor_label_overflow_total[{window}])) > {value}"),
                    t.for_,
                    t.severity,
                    "{{ $labels.metric }} has more label sets than its limit",
                    "{{ $value }} updates of {{ $labels.metric }} went to its __overflow__ series.",
                ),
                ServiceAlert::RegistrationProblems => alert(
                    name,
                    format!("max(monitor_registration_problems) > {value}"),
                    t.for_,
                    t.severity,
                    "metrics could not all be registered",
                    "{{ $value }} registration problems at start-up: see the service's log.",
                ),
            }
        })
        .collect()
}

fn business_rule(business: &BusinessAlert) -> Rule {
    let metric = &business.metric;
    let window = range(business.window);
    let (expr, description) = match business.condition {
        BusinessCondition::RateAbove(value) => (
            format!("sum(rate({metric}[{window}])) > {value}"),
            format!("{metric} rises by {{{{ $value }}}}/s over {window} (threshold {value}/s)."),
        ),
        BusinessCondition::RateBelow(value) => (
            format!("(sum(rate({metric}[{window}])) or vector(0)) < {value}"),
            format!("{metric} rises by {{{{ $value }}}}/s over {window} (threshold {value}/s)."),
        ),
        BusinessCondition::GaugeAbove(value) => (
            format!("max({metric}) > {value}"),
            format!("{metric} is {{{{ $value }}}} (threshold {value})."),
        ),
        BusinessCondition::GaugeBelow(value) => (
            format!("min({metric}) < {value}"),
            format!("{metric} is {{{{ $value }}}} (threshold {value})."),
        ),
    };
    let mut rule = alert(
        &business.alert_name(),
        expr,
        business.for_,
        business.severity,
        &format!("{metric} is out of its expected range"),
        &description,
    );
    if let Rule::Alerting(alerting) = &mut rule {
        alerting.labels.insert("metric".to_owned(), metric.clone());
    }
    rule
}
