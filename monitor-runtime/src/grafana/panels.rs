//! The dashboards themselves: which panels, which queries.

use super::model::{
    Annotations, Dashboard, DashboardLink, FieldConfigSource, FieldDefaults, GridPos,
    LegendOptions, Panel, PanelOptions, ReduceOptions, StatOptions, Step, Target, Templating,
    TextOptions, Thresholds, TimeRange, TimeSeriesOptions, TooltipOptions, Variable, datasource,
};
use super::service::Service;
use crate::alerts::Objective;
use crate::core::model::Kind;

/// `metric{job=~"$job",extra}`: every query is narrowed to the chosen jobs.
fn sel(metric: &str, extra: &str) -> String {
    if extra.is_empty() {
        format!("{metric}{{job=~\"$job\"}}")
    } else {
        format!("{metric}{{job=~\"$job\",{extra}}}")
    }
}

/// `sum by (by) (rate(selector[$__rate_interval]))`; `by` empty sums everything.
fn sum_rate(by: &str, selector: &str) -> String {
    if by.is_empty() {
        format!("sum(rate({selector}[$__rate_interval]))")
    } else {
        format!("sum by ({by}) (rate({selector}[$__rate_interval]))")
    }
}

/// The `q` quantile of a histogram, aggregated over instances first.
fn quantile(q: f64, by: &str, bucket_selector: &str) -> String {
    let by = if by.is_empty() {
        "le".to_owned()
    } else {
        format!("le, {by}")
    };
    format!(
        "histogram_quantile({q}, {})",
        sum_rate(&by, bucket_selector)
    )
}

/// The `le` label value of a bucket bound, as the Prometheus client writes it.
pub fn le_label(bound: f64) -> String {
    format!("{bound}")
}

/// Lays panels out left to right, top to bottom, on Grafana's 24-column grid.
struct Layout {
    panels: Vec<Panel>,
    x: u32,
    y: u32,
    row_height: u32,
}

/// What a panel shows, before it is placed.
struct PanelSpec {
    kind: &'static str,
    title: String,
    description: String,
    unit: &'static str,
    width: u32,
    height: u32,
    queries: Vec<(String, String)>,
    min: Option<f64>,
    max: Option<f64>,
    thresholds: Option<Vec<(Option<f64>, &'static str)>>,
    text: Option<String>,
}

impl PanelSpec {
    fn new(kind: &'static str, title: &str, description: &str, unit: &'static str) -> Self {
        let (width, height) = match kind {
            "stat" => (6, 4),
            "text" => (24, 4),
            _ => (12, 8),
        };
        Self {
            kind,
            title: title.to_owned(),
            description: description.to_owned(),
            unit,
            width,
            height,
            queries: Vec::new(),
            min: None,
            max: None,
            thresholds: None,
            text: None,
        }
    }

    fn series(title: &str, description: &str, unit: &'static str) -> Self {
        Self::new("timeseries", title, description, unit)
    }

    fn stat(title: &str, description: &str, unit: &'static str) -> Self {
        Self::new("stat", title, description, unit)
    }

    fn query(mut self, expr: String, legend: &str) -> Self {
        self.queries.push((expr, legend.to_owned()));
        self
    }

    fn ratio(mut self) -> Self {
        self.min = Some(0.0);
        self.max = Some(1.0);
        self
    }

    fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    fn thresholds(mut self, steps: Vec<(Option<f64>, &'static str)>) -> Self {
        self.thresholds = Some(steps);
        self
    }
}

impl Layout {
    fn new() -> Self {
        Self {
            panels: Vec::new(),
            x: 0,
            y: 0,
            row_height: 0,
        }
    }

    fn add(&mut self, spec: PanelSpec) {
        if self.x + spec.width > 24 {
            self.x = 0;
            self.y += self.row_height;
            self.row_height = 0;
        }
        let id = u32::try_from(self.panels.len()).unwrap_or(u32::MAX - 1) + 1;
        let instant = spec.kind != "timeseries";
        let targets = spec
            .queries
            .iter()
            .enumerate()
            .map(|(index, (expr, legend))| Target {
                ref_id: ref_id(index),
                datasource: datasource(),
                expr: expr.clone(),
                legend_format: legend.clone(),
                range: !instant,
                instant,
            })
            .collect();
        let options = match spec.kind {
            "text" => PanelOptions::Text(TextOptions {
                mode: "markdown",
                content: spec.text.clone().unwrap_or_default(),
            }),
            "stat" => PanelOptions::Stat(StatOptions {
                graph_mode: "area",
                color_mode: "value",
                justify_mode: "auto",
                text_mode: "auto",
                wide_layout: true,
                show_percent_change: false,
                reduce_options: ReduceOptions {
                    calcs: vec!["lastNotNull"],
                    fields: "",
                    values: false,
                },
                percent_change_color_mode: "standard",
                orientation: "auto",
            }),
            _ => PanelOptions::TimeSeries(TimeSeriesOptions {
                legend: LegendOptions {
                    display_mode: "table",
                    placement: "bottom",
                    show_legend: true,
                    calcs: vec!["mean", "max", "lastNotNull"],
                },
                tooltip: TooltipOptions {
                    mode: "multi",
                    sort: "desc",
                },
            }),
        };
        let thresholds = spec.thresholds.map(|steps| Thresholds {
            mode: "absolute",
            steps: steps
                .into_iter()
                .map(|(value, color)| Step { value, color })
                .collect(),
        });
        self.panels.push(Panel {
            id,
            kind: spec.kind,
            title: spec.title,
            description: spec.description,
            datasource: datasource(),
            grid_pos: GridPos {
                h: spec.height,
                w: spec.width,
                x: self.x,
                y: self.y,
            },
            targets,
            field_config: FieldConfigSource {
                defaults: FieldDefaults {
                    unit: spec.unit,
                    min: spec.min,
                    max: spec.max,
                    thresholds,
                },
                overrides: Vec::new(),
            },
            options,
        });
        self.x += spec.width;
        self.row_height = self.row_height.max(spec.height);
    }

    fn text(&mut self, title: &str, description: &str, content: String) {
        let mut spec = PanelSpec::new("text", title, description, "none");
        spec.text = Some(content);
        self.add(spec);
    }
}

fn ref_id(index: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut id = String::new();
    let mut n = index;
    loop {
        id.insert(0, char::from(letters[n % 26]));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    id
}

fn job_variable() -> Variable {
    Variable {
        kind: "query",
        name: "job",
        label: "Job",
        description: "The Prometheus jobs scraping the service; every query is narrowed to them.",
        query: "label_values(function_calls_total, job)".to_owned(),
        datasource: Some(datasource()),
        definition: Some("label_values(function_calls_total, job)".to_owned()),
        refresh: 2,
        include_all: true,
        multi: true,
        all_value: Some(".*"),
        sort: 1,
    }
}

fn datasource_variable() -> Variable {
    Variable {
        kind: "datasource",
        name: "datasource",
        label: "Data source",
        description: "The Prometheus-compatible data source holding the service's metrics.",
        query: "prometheus".to_owned(),
        datasource: None,
        definition: None,
        refresh: 1,
        include_all: false,
        multi: false,
        all_value: None,
        sort: 0,
    }
}

fn dashboard(
    service: &Service,
    slug: &str,
    title: &str,
    description: &str,
    extra_variables: Vec<Variable>,
    layout: Layout,
) -> Dashboard {
    let mut variables = vec![datasource_variable(), job_variable()];
    variables.extend(extra_variables);
    Dashboard {
        uid: format!("{}-{slug}", uid_part(&service.name)),
        title: format!("{} / {title}", service.name),
        description: description.to_owned(),
        tags: vec!["monitor".to_owned(), service.name.clone()],
        timezone: "browser",
        editable: true,
        graph_tooltip: 1,
        time: TimeRange {
            from: "now-1h",
            to: "now",
        },
        refresh: "30s",
        schema_version: 39,
        templating: Templating { list: variables },
        annotations: Annotations { list: Vec::new() },
        links: vec![DashboardLink {
            title: "monitor dashboards",
            kind: "dashboards",
            icon: "external link",
            tooltip: "The other dashboards of the service",
            tags: vec!["monitor".to_owned()],
            as_dropdown: true,
            target_blank: false,
            include_vars: true,
            keep_time: true,
        }],
        panels: layout.panels,
    }
}

/// A uid part: lowercase letters, digits and dashes, at most 28 characters (a
/// Grafana uid is at most 40).
fn uid_part(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(28)
        .collect();
    if cleaned.is_empty() {
        "service".to_owned()
    } else {
        cleaned
    }
}

pub(super) fn all(service: &Service) -> Vec<Dashboard> {
    vec![
        overview(service),
        functions(service),
        http(service),
        business(service),
        health(service),
        objectives(service),
        system(service),
    ]
}

const CALLS: &str = "function_calls_total";
const BUCKETS: &str = "function_calls_duration_seconds_bucket";
const REQUESTS: &str = "http_server_request_duration_seconds_count";
const REQUEST_BUCKETS: &str = "http_server_request_duration_seconds_bucket";

/// Errors over requests per `by`, zero (not missing) for a route without a `5xx`.
fn route_error_ratio(by: &str, filter: &str) -> String {
    let five = if filter.is_empty() {
        "http_response_status_code=~\"5..\"".to_owned()
    } else {
        format!("{filter},http_response_status_code=~\"5..\"")
    };
    let all = sum_rate(by, &sel(REQUESTS, filter));
    format!(
        "({} or {all} * 0) / {all}",
        sum_rate(by, &sel(REQUESTS, &five))
    )
}

fn function_error_ratio(by: &str, filter: &str) -> String {
    let errors = if filter.is_empty() {
        "result=\"error\"".to_owned()
    } else {
        format!("{filter},result=\"error\"")
    };
    format!(
        "{} / {}",
        sum_rate(by, &sel(CALLS, &errors)),
        sum_rate(by, &sel(CALLS, filter))
    )
}

fn overview(service: &Service) -> Dashboard {
    let mut layout = Layout::new();
    layout.add(
        PanelSpec::stat(
            "Function calls",
            "Calls per second of every #[monitored] function, over every instance.",
            "reqps",
        )
        .query(sum_rate("", &sel(CALLS, "")), "calls"),
    );
    layout.add(
        PanelSpec::stat(
            "Function error ratio",
            "Failed calls over all calls of every #[monitored] function, over every instance.",
            "percentunit",
        )
        .query(function_error_ratio("", ""), "errors")
        .ratio()
        .thresholds(vec![
            (None, "green"),
            (Some(0.01), "orange"),
            (Some(0.05), "red"),
        ]),
    );
    layout.add(
        PanelSpec::stat(
            "HTTP requests",
            "Requests per second the HTTP metrics layer measured, over every route and instance.",
            "reqps",
        )
        .query(sum_rate("", &sel(REQUESTS, "")), "requests"),
    );
    layout.add(
        PanelSpec::stat(
            "HTTP error ratio",
            "Requests answered 5xx over all requests, over every route and instance.",
            "percentunit",
        )
        .query(route_error_ratio("", ""), "errors")
        .ratio()
        .thresholds(vec![
            (None, "green"),
            (Some(0.01), "orange"),
            (Some(0.05), "red"),
        ]),
    );
    layout.add(
        PanelSpec::series(
            "Top functions by call rate",
            "The ten busiest functions: calls per second, summed over instances.",
            "reqps",
        )
        .query(
            format!(
                "topk(10, {})",
                sum_rate("module, function", &sel(CALLS, ""))
            ),
            "{{module}}::{{function}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Top functions by error ratio",
            "The ten functions with the highest share of failed calls.",
            "percentunit",
        )
        .query(
            format!("topk(10, {})", function_error_ratio("module, function", "")),
            "{{module}}::{{function}}",
        )
        .ratio(),
    );
    layout.add(
        PanelSpec::series(
            "Top functions by p95 latency",
            "The ten slowest functions: 95th percentile of their call durations, from histograms aggregated over instances (as precise as the buckets).",
            "s",
        )
        .query(
            format!(
                "topk(10, {})",
                quantile(0.95, "module, function", &sel(BUCKETS, ""))
            ),
            "{{module}}::{{function}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Top routes by request rate",
            "The ten busiest HTTP routes (matched templates): requests per second over instances.",
            "reqps",
        )
        .query(
            format!(
                "topk(10, {})",
                sum_rate("http_request_method, http_route", &sel(REQUESTS, ""))
            ),
            "{{http_request_method}} {{http_route}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Top routes by error ratio",
            "The ten HTTP routes with the highest share of 5xx answers.",
            "percentunit",
        )
        .query(
            format!("topk(10, {})", route_error_ratio("http_route", "")),
            "{{http_route}}",
        )
        .ratio(),
    );
    layout.add(
        PanelSpec::series(
            "Top routes by p95 latency",
            "The ten slowest HTTP routes: 95th percentile of request durations over instances.",
            "s",
        )
        .query(
            format!(
                "topk(10, {})",
                quantile(0.95, "http_route", &sel(REQUEST_BUCKETS, ""))
            ),
            "{{http_route}}",
        ),
    );
    dashboard(
        service,
        "overview",
        "overview",
        "Rate, errors and latency of the busiest functions and HTTP routes of the service.",
        Vec::new(),
        layout,
    )
}

fn functions(service: &Service) -> Dashboard {
    let filter = "function=~\"$function\"";
    let by = "module, function";
    let mut layout = Layout::new();
    layout.add(
        PanelSpec::series(
            "Call rate",
            "Calls per second of the chosen functions, by result, summed over instances.",
            "reqps",
        )
        .query(
            sum_rate("module, function, result", &sel(CALLS, filter)),
            "{{module}}::{{function}} {{result}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Error ratio",
            "Failed calls over all calls of the chosen functions.",
            "percentunit",
        )
        .query(function_error_ratio(by, filter), "{{module}}::{{function}}")
        .ratio(),
    );
    let mut latency = PanelSpec::series(
        "Latency percentiles",
        "Median, 95th and 99th percentiles of call durations, from histograms aggregated over instances (each estimate lies within one bucket).",
        "s",
    );
    for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
        latency = latency.query(
            quantile(q, by, &sel(BUCKETS, filter)),
            &format!("{{{{module}}}}::{{{{function}}}} {name}"),
        );
    }
    layout.add(latency);
    layout.add(
        PanelSpec::series(
            "Mean latency",
            "Total time spent over calls: the mean call duration.",
            "s",
        )
        .query(
            format!(
                "{} / {}",
                sum_rate(by, &sel("function_calls_duration_seconds_sum", filter)),
                sum_rate(by, &sel("function_calls_duration_seconds_count", filter))
            ),
            "{{module}}::{{function}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Calls in progress",
            "Calls started and not yet finished, summed over instances.",
            "short",
        )
        .query(
            format!(
                "sum by ({by}) ({})",
                sel("function_calls_concurrent", filter)
            ),
            "{{module}}::{{function}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Cancelled calls",
            "Async calls whose future was dropped before finishing, per second.",
            "reqps",
        )
        .query(
            sum_rate(by, &sel("function_calls_cancelled_total", filter)),
            "{{module}}::{{function}}",
        ),
    );
    let function = Variable {
        kind: "query",
        name: "function",
        label: "Function",
        description: "The #[monitored] functions to show.",
        query: "label_values(function_calls_total{job=~\"$job\"}, function)".to_owned(),
        datasource: Some(datasource()),
        definition: Some("label_values(function_calls_total{job=~\"$job\"}, function)".to_owned()),
        refresh: 2,
        include_all: true,
        multi: true,
        all_value: Some(".*"),
        sort: 1,
    };
    dashboard(
        service,
        "functions",
        "functions",
        "Rate, errors, latency percentiles, concurrency and cancellations of chosen #[monitored] functions.",
        vec![function],
        layout,
    )
}

fn http(service: &Service) -> Dashboard {
    let by = "http_request_method, http_route";
    let legend = "{{http_request_method}} {{http_route}}";
    let mut layout = Layout::new();
    layout.add(
        PanelSpec::series(
            "Request rate",
            "Requests per second by method and route template, summed over instances.",
            "reqps",
        )
        .query(sum_rate(by, &sel(REQUESTS, "")), legend),
    );
    layout.add(
        PanelSpec::series(
            "Error ratio",
            "Requests answered 5xx over all requests, by method and route.",
            "percentunit",
        )
        .query(route_error_ratio(by, ""), legend)
        .ratio(),
    );
    layout.add(
        PanelSpec::series(
            "Requests by status code",
            "Requests per second by response status code, summed over routes and instances.",
            "reqps",
        )
        .query(
            sum_rate("http_response_status_code", &sel(REQUESTS, "")),
            "{{http_response_status_code}}",
        ),
    );
    let mut latency = PanelSpec::series(
        "Latency percentiles",
        "95th and 99th percentiles of request durations by route, from histograms aggregated over instances.",
        "s",
    );
    for (q, name) in [(0.95, "p95"), (0.99, "p99")] {
        latency = latency.query(
            quantile(q, by, &sel(REQUEST_BUCKETS, "")),
            &format!("{legend} {name}"),
        );
    }
    layout.add(latency);
    layout.add(
        PanelSpec::series(
            "Requests in progress",
            "Requests being served, by method, summed over instances.",
            "short",
        )
        .query(
            format!(
                "sum by (http_request_method) ({})",
                sel("http_server_active_requests", "")
            ),
            "{{http_request_method}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Response bytes",
            "Bytes of response bodies sent per second, by route.",
            "Bps",
        )
        .query(
            sum_rate(
                "http_route",
                &sel("http_server_response_body_size_bytes_sum", ""),
            ),
            "{{http_route}}",
        ),
    );
    dashboard(
        service,
        "http",
        "HTTP routes",
        "Rate, errors and latency of every HTTP route the metrics layer measures (OpenTelemetry semantic conventions).",
        Vec::new(),
        layout,
    )
}

fn business(service: &Service) -> Dashboard {
    let mut layout = Layout::new();
    if service.business.is_empty() {
        layout.text(
            "No business metrics",
            "The service declares no business metric.",
            "The service declares no business metric: add `#[business_metric(...)]` to a function."
                .to_owned(),
        );
    }
    for metric in &service.business {
        let help = if metric.help.is_empty() {
            format!("The business metric {}.", metric.name)
        } else {
            format!("{} ({})", metric.help, metric.name)
        };
        let spec = match metric.kind {
            Kind::Counter => PanelSpec::series(&metric.name, &help, "ops")
                .query(sum_rate("", &sel(&metric.name, "")), "per second"),
            Kind::Histogram => PanelSpec::series(&metric.name, &help, "short")
                .query(
                    quantile(0.5, "", &sel(&format!("{}_bucket", metric.name), "")),
                    "p50",
                )
                .query(
                    quantile(0.95, "", &sel(&format!("{}_bucket", metric.name), "")),
                    "p95",
                ),
            _ => PanelSpec::series(&metric.name, &help, "short").query(
                format!("sum({})", sel(&metric.name, "")),
                "sum over instances",
            ),
        };
        layout.add(spec);
    }
    dashboard(
        service,
        "business",
        "business",
        "The service's own business metrics: counters as rates, gauges as values, histograms as percentiles.",
        Vec::new(),
        layout,
    )
}

fn health(service: &Service) -> Dashboard {
    let mut layout = Layout::new();
    layout.add(
        PanelSpec::stat(
            "Instances up",
            "Instances of the job Prometheus scraped successfully.",
            "short",
        )
        .query(format!("sum({})", sel("up", "")), "up")
        .width(8),
    );
    layout.add(
        PanelSpec::stat(
            "Unhealthy checks",
            "Checks unhealthy on some instance, summed over instances.",
            "short",
        )
        .query(
            format!(
                "sum({})",
                sel("health_check_status", "status=\"unhealthy\"")
            ),
            "unhealthy",
        )
        .thresholds(vec![(None, "green"), (Some(1.0), "red")])
        .width(8),
    );
    layout.add(
        PanelSpec::stat(
            "Degraded checks",
            "Checks degraded on some instance, summed over instances.",
            "short",
        )
        .query(
            format!("sum({})", sel("health_check_status", "status=\"degraded\"")),
            "degraded",
        )
        .thresholds(vec![(None, "green"), (Some(1.0), "orange")])
        .width(8),
    );
    layout.add(
        PanelSpec::series(
            "Instances per status",
            "For each check, how many instances report it healthy, degraded or unhealthy.",
            "short",
        )
        .query(
            format!(
                "sum by (check, probe, status) ({})",
                sel("health_check_status", "")
            ),
            "{{check}} ({{probe}}) {{status}}",
        )
        .width(24),
    );
    layout.add(
        PanelSpec::series(
            "Check failures",
            "Runs per second that ended unhealthy, timed out or panicked.",
            "ops",
        )
        .query(
            sum_rate("check", &sel("health_check_failures_total", "")),
            "{{check}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Check duration p95",
            "95th percentile of check run durations, from histograms aggregated over instances.",
            "s",
        )
        .query(
            quantile(
                0.95,
                "check",
                &sel("health_check_duration_seconds_bucket", ""),
            ),
            "{{check}}",
        ),
    );
    dashboard(
        service,
        "health",
        "health",
        "Health checks of the service: status per check and instance, failures and durations.",
        Vec::new(),
        layout,
    )
}

fn objective_panels(layout: &mut Layout, objective: &Objective) {
    let filter = format!(
        "module=\"{}\",function=\"{}\"",
        escape(objective.module()),
        escape(objective.function())
    );
    if let Some(target) = objective.success_target() {
        layout.add(
            PanelSpec::series(
                &format!("{}: success ratio", objective.name()),
                &format!(
                    "Share of calls of {}::{} that succeed; the objective is {}.",
                    objective.module(),
                    objective.function(),
                    target
                ),
                "percentunit",
            )
            .query(
                format!("1 - ({})", function_error_ratio("", &filter)),
                "success",
            )
            .thresholds(vec![(None, "red"), (Some(target), "green")]),
        );
        layout.add(
            PanelSpec::series(
                &format!("{}: error budget burn rate", objective.name()),
                &format!(
                    "Error ratio over the budget ({}): 1 spends the budget exactly over the period; above 14.4 pages.",
                    1.0 - target
                ),
                "short",
            )
            .query(
                format!("({}) / {}", function_error_ratio("", &filter), 1.0 - target),
                "burn rate",
            )
            .thresholds(vec![(None, "green"), (Some(1.0), "orange"), (Some(14.4), "red")]),
        );
    }
    if let Some((threshold, share)) = objective.latency_target() {
        let le = le_label(threshold.as_secs_f64());
        layout.add(
            PanelSpec::series(
                &format!("{}: calls faster than {le} s", objective.name()),
                &format!(
                    "Share of calls of {}::{} under {le} s (the histogram's bucket le=\"{le}\"); the objective is {share}.",
                    objective.module(), objective.function()
                ),
                "percentunit",
            )
            .query(
                format!(
                    "{} / {}",
                    sum_rate("", &sel(BUCKETS, &format!("{filter},le=\"{le}\""))),
                    sum_rate("", &sel("function_calls_duration_seconds_count", &filter))
                ),
                "fast enough",
            )
            .thresholds(vec![(None, "red"), (Some(share), "green")]),
        );
    }
}

/// Escapes a label value for a PromQL string.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}

fn objectives(service: &Service) -> Dashboard {
    let mut layout = Layout::new();
    if service.objectives.is_empty() {
        layout.text(
            "No objectives",
            "The service declares no objective.",
            "The service declares no objective: see `monitor_runtime::alerts::Objective`."
                .to_owned(),
        );
    }
    for objective in &service.objectives {
        objective_panels(&mut layout, objective);
    }
    dashboard(
        service,
        "objectives",
        "objectives",
        "Service level objectives: success and latency shares against their targets, and the error budget burn rate.",
        Vec::new(),
        layout,
    )
}

fn system(service: &Service) -> Dashboard {
    let by = "instance";
    let mut layout = Layout::new();
    layout.add(
        PanelSpec::series(
            "Host CPU",
            "Share of the host's CPUs busy, per instance.",
            "percentunit",
        )
        .query(
            format!(
                "max by ({by}) ({})",
                sel("system_cpu_utilization_ratio", "")
            ),
            "{{instance}}",
        )
        .ratio(),
    );
    layout.add(
        PanelSpec::series(
            "Host memory used",
            "Physical memory in use over physical memory, per instance.",
            "percentunit",
        )
        .query(
            format!(
                "sum by ({by}) ({}) / sum by ({by}) ({})",
                sel("system_memory_used_bytes", ""),
                sel("system_memory_size_bytes", "")
            ),
            "{{instance}}",
        )
        .ratio(),
    );
    layout.add(
        PanelSpec::series(
            "Disk space available",
            "Available space over size of each file system, per instance.",
            "percentunit",
        )
        .query(
            format!(
                "sum by ({by}, mountpoint) ({}) / sum by ({by}, mountpoint) ({})",
                sel("system_disk_available_bytes", ""),
                sel("system_disk_size_bytes", "")
            ),
            "{{instance}} {{mountpoint}}",
        )
        .ratio(),
    );
    layout.add(
        PanelSpec::series(
            "Network traffic",
            "Bytes per second received and sent over every interface, per instance.",
            "Bps",
        )
        .query(
            sum_rate(by, &sel("system_network_received_bytes_total", "")),
            "{{instance}} received",
        )
        .query(
            sum_rate(by, &sel("system_network_transmitted_bytes_total", "")),
            "{{instance}} sent",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Process CPU",
            "CPU seconds per second the process used, per instance.",
            "short",
        )
        .query(
            sum_rate(by, &sel("process_cpu_seconds_total", "")),
            "{{instance}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Process memory",
            "Resident memory of the process, per instance.",
            "bytes",
        )
        .query(
            format!(
                "sum by ({by}) ({})",
                sel("process_resident_memory_bytes", "")
            ),
            "{{instance}}",
        ),
    );
    layout.add(
        PanelSpec::series(
            "Open files",
            "File descriptors the process holds over its limit, per instance.",
            "percentunit",
        )
        .query(
            format!(
                "sum by ({by}) ({}) / sum by ({by}) ({})",
                sel("process_open_fds", ""),
                sel("process_max_fds", "")
            ),
            "{{instance}}",
        )
        .ratio(),
    );
    dashboard(
        service,
        "system",
        "system",
        "Resources of the hosts (CPU, memory, disks, network) and of the service's processes.",
        Vec::new(),
        layout,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_ids_are_letters() {
        assert_eq!(ref_id(0), "A");
        assert_eq!(ref_id(25), "Z");
        assert_eq!(ref_id(26), "AA");
    }

    #[test]
    fn panels_flow_on_the_grid() {
        let mut layout = Layout::new();
        for _ in 0..3 {
            layout.add(PanelSpec::series("t", "d", "s"));
        }
        let positions: Vec<(u32, u32)> = layout
            .panels
            .iter()
            .map(|panel| (panel.grid_pos.x, panel.grid_pos.y))
            .collect();
        assert_eq!(positions, vec![(0, 0), (12, 0), (0, 8)]);
    }
}
