//! Alerts from the same definitions as the metrics: service level objectives with
//! multiwindow, multi-burn-rate alerts, the default service alerts, business
//! alerts, rendered as a Prometheus rule file or a Kubernetes `PrometheusRule`.
//!
//! ```
//! use std::time::Duration;
//! use monitor_runtime::alerts::{AlertSet, BusinessAlert, Objective, ServiceAlert, ServiceAlerts, Severity};
//!
//! let set = AlertSet::new("shop")
//!     .objective(
//!         Objective::new("checkout", "shop::orders", "checkout")
//!             .success(0.999)
//!             .latency(Duration::from_millis(250), 0.99),
//!     )
//!     .service_alerts(ServiceAlerts::default().disable(ServiceAlert::CpuNearLimit))
//!     .business(
//!         BusinessAlert::rate_above("login_failures_total", 5.0)
//!             .window(Duration::from_secs(300))
//!             .severity(Severity::Critical),
//!     );
//! let yaml = set.rules().to_yaml(); // for Prometheus' `rule_files`
//! assert!(yaml.contains("monitor_slo:requests_error_ratio:rate5m"));
//! ```
//!
//! ## Objectives
//!
//! Declared on the function, checked at compile time (M070, M071, durations
//! M050–M052; the latency threshold becomes a bucket bound when it is not one):
//!
//! ```rust,standalone_crate
//! use monitor_runtime::monitored;
//!
//! #[monitored(objective(success = 0.999, latency = "250ms", latency_share = 0.99, period = "30d"))]
//! fn checkout() {}
//! # fn main() {
//! # checkout();
//! # assert!(monitor_runtime::alerts::current().rules().alerts().any(|a| a.alert == "CheckoutErrorBudgetBurnPage"));
//! # }
//! ```
//!
//! (`name = "..."` names the objective, the function's label by default), or in code
//! with [`Objective::new`] and, for an HTTP route of the RED layer,
//! [`Objective::http_route`]. An objective gives, for each target (success ratio and
//! latency share):
//! - recording rules `monitor_slo:requests_error_ratio:rate<w>` (errors over calls)
//!   and `monitor_slo:latency_error_ratio:rate<w>` (calls slower than the threshold
//!   over calls) for every window of its burn-rate alerts, labelled `objective`,
//!   `function`, `module` (or `http_route`), summed over instances;
//! - a page alert (`<Slo>ErrorBudgetBurnPage`, `severity="critical"`) firing while the
//!   ratio exceeds 14.4× the budget over 1 h and 5 m, or 6× over 6 h and 30 m;
//! - a ticket alert (`…Ticket`, `severity="warning"`): 3× over 1 d and 2 h, or 1×
//!   over 3 d and 6 h.
//!
//! The windows are those of the SRE workbook for a 30-day period;
//! [`Objective::windows`] replaces them, [`AlertSet::burn_windows`] those of every
//! objective.
//!
//! ## Default service alerts
//!
//! | alert | condition | for | severity |
//! |---|---|---|---|
//! | `FunctionErrorRatioCritical` | errors / calls per function over 5 m > 5 % | 5 m | critical |
//! | `FunctionErrorRatioWarning` | errors / calls per function over 5 m > 2 % | 10 m | warning |
//! | `FunctionLatencyP95Critical` | p95 of `function_calls_duration_seconds` over 5 m > 2 s | 10 m | critical |
//! | `FunctionLatencyP95Warning` | p95 > 1 s | 15 m | warning |
//! | `HealthCheckUnhealthy` | `health_check_status{status="unhealthy"} == 1` (a failing critical check) | 1 m | critical |
//! | `TargetDown` | `up == 0` ([`ServiceAlerts::job`] narrows it) | 1 m | critical |
//! | `ProcessMemoryNearLimit` | resident memory > 90 % of [`ServiceAlerts::memory_limit_bytes`] (default `process_virtual_memory_max_bytes` when set) | 10 m | warning |
//! | `ProcessCpuNearLimit` | CPU seconds per second > 90 % of [`ServiceAlerts::cpu_cores`] (default 1) | 15 m | warning |
//! | `ProcessFileDescriptorsNearLimit` | `process_open_fds / process_max_fds` > 90 % | 5 m | warning |
//! | `DiskSpaceLow` | the `DiskSpace` check (`disk_space`, free space under its limit, 10 % by default) not healthy | 5 m | warning |
//! | `BusinessLabelOverflow` | `monitor_label_overflow_total` increased over 5 m | 0 | warning |
//! | `RegistrationProblems` | `monitor_registration_problems > 0` | 1 m | warning |
//!
//! Each is changed with [`ServiceAlerts::threshold`], [`ServiceAlerts::for_`],
//! [`ServiceAlerts::severity`] and turned off with [`ServiceAlerts::disable`].
//!
//! ## Business alerts
//!
//! [`BusinessAlert`]: a counter's rate above or below a value over a window, a
//! gauge above or below a value; labelled `metric` and `severity`. Declared next to
//! the metric, checked at compile time (M072–M074):
//! `#[business_metric(counter = "login_failures_total", help = "...", alert(rate_above = 10, over = "5m", for = "1m", severity = "critical", name = "LoginFailureSpike"))]`,
//! `alert(above = 100)` / `alert(below = 1)` for a gauge; any number of `alert(...)`,
//! in `business_metrics!` too.
//!
//! ## Embedded evaluation
//!
//! [`EmbeddedAlerts`] runs the same definitions in the process over a history of its
//! own figures (see [`EmbeddedAlerts`] for what it covers), serves them at `GET /alerts`
//! and `GET /alerts/history`, and posts to Alertmanager and a webhook.
//!
//! ## Serving and printing
//!
//! [`configure`] makes an [`AlertSet`] the process' definitions; [`current`] gives them
//! back, [`AlertSet::rules`] renders them, and (feature `http`) the exporter serves
//! them at `GET /alerts/rules.yml`.
//! Until `configure` is called they are [`AlertSet::annotated`]: what the code
//! declares and the default service alerts.
//!
//! Every expression sums rates over instances before dividing, so the rules hold
//! for one replica or many.
//!
//! What the code declares, plus what only code can say (an objective of an HTTP
//! route of the RED layer, a changed threshold, a default turned off):
//!
//! ```rust,standalone_crate
//! use std::time::Duration;
//! use monitor_runtime::alerts::{self, AlertSet, BusinessAlert, Objective, ServiceAlert, ServiceAlerts};
//!
//! alerts::configure(
//!     AlertSet::annotated("shop")
//!         .objective(Objective::http_route("orders_api", "/orders/{id}")
//!             .success(0.995)                                   // 5xx answers are failures
//!             .latency(Duration::from_millis(500), 0.99))
//!         .service_alerts(ServiceAlerts::default()
//!             .job("shop")
//!             .threshold(ServiceAlert::ErrorRatioCritical, 0.10) // change one
//!             .disable(ServiceAlert::CpuNearLimit))              // turn one off
//!         .business(BusinessAlert::rate_below("user_signups_total", 0.0003)
//!             .window(Duration::from_secs(3600))),
//! );
//! assert!(alerts::current().rules().to_yaml().contains("OrdersApiErrorBudgetBurnPage"));
//! ```
//!
//! ## Loading the rules into Prometheus
//!
//! Save the rule file (the quickstart prints its own), check it, list it under
//! `rule_files:` in `prometheus.yml` and reload Prometheus:
//!
//! ```sh
//! cargo run -p quickstart -- --print-rules > monitor.rules.yml
//! promtool check rules monitor.rules.yml
//! ```
//!
//! With the Prometheus Operator, apply the `PrometheusRule` that
//! [`crate::kubernetes::Manifests`] generates from the same rules.
//!
//! Alertmanager routes by `severity`: `examples/alertmanager/alertmanager.yml` in the
//! repository sends `severity="critical"` to a paging receiver and
//! `severity="warning"` to a chat receiver (check it with `amtool check-config`, try
//! a route with `amtool config routes test
//! --config.file=examples/alertmanager/alertmanager.yml severity=critical`).

pub(crate) mod annotations;
mod configured;
mod duration;
#[cfg_attr(
    not(feature = "http"),
    allow(dead_code, reason = "the HTTP layer starts the evaluator")
)]
pub(crate) mod embedded;
mod generate;
mod global;
mod model;
mod query;
mod rules;

pub use configured::current;
pub(crate) use duration::promql as promql_duration;
pub use embedded::EmbeddedAlerts;
pub use generate::AlertSet;
pub use global::configure;
pub use model::{
    BurnWindow, BusinessAlert, Objective, ServiceAlert, ServiceAlerts, Severity, Threshold,
};
pub use rules::{AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup};
pub(crate) use rules::{ObjectMeta, PrometheusRule};
