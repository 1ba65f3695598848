//! The built-in dashboard at `/dashboard`: a page rendered on the server (tables of
//! functions, routes, business metrics, health, system resources, registration
//! problems) that a small script of its own (`dashboard/app.js`, no outside resource)
//! keeps up to date from `dashboard/data.json`, drawing charts of the last hour from
//! the runtime's [`history`](crate::history). `dashboard/grafana.json` serves the
//! generated Grafana dashboards.
//!
//! Every link is relative, so the page works under `Router::nest("/ops", …)`.
//!
//! Next to the p99 of each function and route the page shows the trace id of the
//! traced call that explains it (the rule is [`history::explaining`]'s), in full
//! for copying and shortened on screen; with a trace UI address ([`TraceUi`]:
//! `MONITOR_TRACE_UI`, or [`Exporter::trace_ui`](super::Exporter::trace_ui)) it
//! links to the trace there.

use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};

use crate::health::HealthRegistry;
use crate::history::{self, BucketExemplar, HistoryView, Quantile, Snapshot, TimedView};

/// Links shown at the top of the dashboard, and the routes the standalone server's
/// `404` lists: `(path, label)`. Every part of the exporter that serves routes of its
/// own adds its entry here.
pub(super) const DASHBOARD_LINKS: &[(&str, &str)] = &[
    ("/metrics", "metrics"),
    ("/health", "health"),
    ("/livez", "livez"),
    ("/readyz", "readyz"),
];

/// Links only the page shows (the `404` keeps to the short list above).
const PAGE_LINKS: &[(&str, &str)] = &[
    ("/dashboard/data.json", "dashboard data"),
    ("/dashboard/grafana.json", "Grafana dashboards"),
    ("/alerts/rules.yml", "alert rules"),
];

/// The recent past the tables' rates, ratios and percentiles cover.
const RECENT: std::time::Duration = std::time::Duration::from_secs(60);

/// How often the page asks for fresh data, milliseconds.
const REFRESH_MS: u64 = 2000;

/// The content security policy of the dashboard: its own script and data only, its
/// inline style sheet, no outside resource, no framing.
pub(super) const DASHBOARD_CSP: &str = "default-src 'none'; script-src 'self'; \
     connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The script that draws the charts and updates the page in place.
const SCRIPT: &str = include_str!("dashboard.js");

/// The dashboard's routes, merged into the exporter's.
pub(super) fn routes() -> Router {
    history::start();
    #[cfg(feature = "system")]
    crate::system::watch();
    route_table()
        .into_iter()
        .fold(Router::new(), |router, (path, route)| {
            router.route(path, route)
        })
}

/// The dashboard's routes: the router's, and the paths the HTTP metrics layer leaves
/// out.
pub(super) fn route_table() -> [(&'static str, MethodRouter); 4] {
    [
        ("/dashboard", get(dashboard)),
        ("/dashboard/data.json", get(data)),
        ("/dashboard/app.js", get(script)),
        ("/dashboard/grafana.json", get(grafana)),
    ]
}

/// The environment variable of the trace UI address, for the exporter and the
/// router alike.
pub(super) const TRACE_UI_ENV: &str = "MONITOR_TRACE_UI";

/// Where the dashboard's trace ids link to: an `http` or `https` address in which
/// `{trace_id}` stands for the trace id (32 hex digits), such as Jaeger's
/// `http://localhost:16686/trace/{trace_id}`; none for ids without links.
///
/// Set by [`Exporter::trace_ui`](super::Exporter::trace_ui) (an extension of the
/// exporter's requests), else read once from [`TRACE_UI_ENV`]. A refused address
/// (another scheme such as `javascript:`, no host, no `{trace_id}`, spaces or
/// control characters) is logged as an error and never rendered.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct TraceUi {
    template: Option<Arc<str>>,
}

impl TraceUi {
    /// The address `template` configured by `origin` (for the log): none when
    /// empty, or when refused (logged).
    pub(super) fn configured(template: &str, origin: &str) -> Self {
        match checked_template(template) {
            Ok(template) => Self {
                template: template.map(Arc::from),
            },
            Err(reason) => {
                tracing::error!(
                    template = %super::answer::clip(template),
                    origin,
                    "monitor: the trace UI address is refused ({reason}); \
                     the dashboard shows trace ids without links"
                );
                Self::default()
            }
        }
    }

    /// The address of [`TRACE_UI_ENV`], read once.
    fn from_env() -> Self {
        static FROM_ENV: LazyLock<TraceUi> = LazyLock::new(|| {
            std::env::var(TRACE_UI_ENV).map_or_else(
                |_| TraceUi::default(),
                |template| TraceUi::configured(&template, TRACE_UI_ENV),
            )
        });
        FROM_ENV.clone()
    }

    /// The link to the trace `trace_id`: the template with the id's 32 hex digits
    /// for `{trace_id}`.
    fn link(&self, trace_id: u128) -> Option<String> {
        let template = self.template.as_deref()?;
        Some(template.replace("{trace_id}", &format!("{trace_id:032x}")))
    }
}

/// `template` trimmed when it is an address to link to (`None` when empty), or why
/// not.
fn checked_template(template: &str) -> Result<Option<&str>, String> {
    let template = template.trim();
    if template.is_empty() {
        return Ok(None);
    }
    if template
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("it holds a space or a control character".to_owned());
    }
    let Some((scheme, rest)) = template.split_once(':') else {
        return Err("it is not an http or https address".to_owned());
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "only http and https addresses are linked to, not `{}:`",
            super::answer::clip(scheme)
        ));
    }
    let host = rest
        .strip_prefix("//")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) {
        return Err("it has no host after `//`".to_owned());
    }
    if !template.contains("{trace_id}") {
        return Err("it has no `{trace_id}` to put the trace id in".to_owned());
    }
    Ok(Some(template))
}

/// The trace UI of a request: the exporter's, else the environment's.
fn trace_ui_of(extension: Option<Extension<TraceUi>>) -> TraceUi {
    extension.map_or_else(TraceUi::from_env, |Extension(ui)| ui)
}

/// One health check as the dashboard shows it.
#[derive(Debug, Clone, Serialize)]
struct CheckRow {
    name: String,
    probe: &'static str,
    critical: bool,
    status: &'static str,
    /// Only for an authorised viewer.
    reason: Option<String>,
    duration_seconds: f64,
}

/// Health as the dashboard shows it.
#[derive(Debug, Clone, Serialize)]
struct HealthView {
    status: &'static str,
    ready: bool,
    /// Whether reasons are shown (the viewer is authorised, or no token is set).
    detailed: bool,
    checks: Vec<CheckRow>,
}

async fn health_view(headers: &HeaderMap) -> HealthView {
    let registry = HealthRegistry::global();
    let detailed = registry.is_authorized(
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok()),
    );
    let report = registry.report_all().await;
    HealthView {
        status: report.status.as_str(),
        ready: report.ready,
        detailed,
        checks: report
            .checks
            .iter()
            .map(|check| CheckRow {
                name: check.name.clone(),
                probe: check.probe.as_str(),
                critical: check.critical,
                status: check.health.status().as_str(),
                reason: detailed
                    .then(|| check.health.reason().map(str::to_owned))
                    .flatten(),
                duration_seconds: check.duration.as_secs_f64(),
            })
            .collect(),
    }
}

/// System resources as the dashboard shows them.
#[derive(Debug, Clone, Default, Serialize)]
struct SystemView {
    host_cpu_utilization: Option<f64>,
    host_logical_cores: Option<usize>,
    host_memory_size_bytes: Option<u64>,
    host_memory_used_bytes: Option<u64>,
    /// `(mount point, size, available)`.
    disks: Vec<(String, u64, u64)>,
    process_cpu_seconds: Option<f64>,
    process_resident_memory_bytes: Option<f64>,
    process_open_fds: Option<f64>,
    process_max_fds: Option<f64>,
}

fn system_view(snapshot: &Snapshot) -> SystemView {
    let process = &snapshot.process;
    #[allow(unused_mut)]
    let mut view = SystemView {
        process_cpu_seconds: process.cpu_seconds,
        process_resident_memory_bytes: process.resident_memory_bytes,
        process_open_fds: process.open_fds,
        process_max_fds: process.max_fds,
        ..SystemView::default()
    };
    #[cfg(feature = "system")]
    {
        let host = crate::system::read();
        view.host_cpu_utilization = Some(host.cpu_utilization);
        view.host_logical_cores = Some(host.logical_cores);
        view.host_memory_size_bytes = Some(host.memory_size);
        view.host_memory_used_bytes = Some(host.memory_used);
        view.disks = host.disks;
    }
    view
}

/// Figures read at the request, for the counters of the page.
#[derive(Debug, Clone, Serialize)]
struct LiveRow {
    group: String,
    name: String,
    calls: f64,
    errors: f64,
    in_flight: f64,
}

#[derive(Debug, Clone, Serialize)]
struct LiveBusiness {
    name: String,
    value: f64,
}

#[derive(Debug, Clone, Serialize)]
struct Live {
    at: f64,
    functions: Vec<LiveRow>,
    routes: Vec<LiveRow>,
    business: Vec<LiveBusiness>,
}

fn live(snapshot: &Snapshot) -> Live {
    let rows = |map: &history::Timings| {
        map.iter()
            .map(|((group, name), timed)| LiveRow {
                group: group.to_string(),
                name: name.to_string(),
                calls: timed.calls,
                errors: timed.errors,
                in_flight: timed.in_flight,
            })
            .collect()
    };
    Live {
        at: snapshot.at,
        functions: rows(&snapshot.functions),
        routes: rows(&snapshot.routes),
        business: snapshot
            .business
            .iter()
            .map(|(name, business)| LiveBusiness {
                name: name.clone(),
                value: business.value,
            })
            .collect(),
    }
}

/// Everything `dashboard/data.json` answers.
#[derive(Debug, Clone, Serialize)]
struct DashboardData {
    interval_seconds: f64,
    retention_seconds: f64,
    samples: usize,
    history: HistoryView,
    live: Live,
    health: HealthView,
    system: SystemView,
    problems: Vec<String>,
}

/// Reads the registry now and the history, on the blocking pool.
async fn read_figures() -> Option<(Snapshot, HistoryView, usize)> {
    let read = tokio::task::spawn_blocking(|| {
        let now = Snapshot::from_model(crate::core::snapshot(), history::unix_now());
        let history = crate::core::ignore_poison(history::global().lock());
        // The reading of now ends the charts, so that what exists now is listed
        // even before the sampler's next reading.
        (
            now.clone(),
            history.view_with(Some(&now), RECENT),
            history.len(),
        )
    })
    .await;
    match read {
        Ok(figures) => Some(figures),
        Err(error) => {
            tracing::error!(%error, "monitor: the dashboard could not read the metrics");
            None
        }
    }
}

async fn data_of(headers: &HeaderMap) -> Option<DashboardData> {
    let (now, view, samples) = read_figures().await?;
    Some(DashboardData {
        interval_seconds: history::interval().as_secs_f64(),
        retention_seconds: history::RETENTION.as_secs_f64(),
        samples,
        system: system_view(&now),
        live: live(&now),
        history: view,
        health: health_view(headers).await,
        problems: registration_problems(),
    })
}

/// `GET /dashboard/data.json`.
async fn data(headers: HeaderMap) -> Response {
    match data_of(&headers).await {
        Some(data) => match serde_json::to_string(&data) {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(error) => {
                tracing::error!(%error, "monitor: the dashboard data could not be encoded");
                super::answer::short_error(StatusCode::INTERNAL_SERVER_ERROR, "dashboard failed")
            }
        },
        None => super::answer::short_error(StatusCode::INTERNAL_SERVER_ERROR, "dashboard failed"),
    }
}

/// `GET /dashboard`.
async fn dashboard(headers: HeaderMap, trace_ui: Option<Extension<TraceUi>>) -> Response {
    match data_of(&headers).await {
        Some(data) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, DASHBOARD_CSP),
            ],
            render_page(&data, &trace_ui_of(trace_ui)),
        )
            .into_response(),
        None => super::answer::short_error(StatusCode::INTERNAL_SERVER_ERROR, "dashboard failed"),
    }
}

/// `GET /dashboard/app.js`.
async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The query of `dashboard/grafana.json`.
#[derive(Debug, Deserialize)]
struct GrafanaQuery {
    /// The service name the dashboards' titles and uids start with (default: the
    /// process' [`identity`](crate::identity)).
    service: Option<String>,
    /// One dashboard (`overview`, `functions`, `http`, `business`, `health`,
    /// `objectives`, `system`) instead of the list of all.
    dashboard: Option<String>,
}

/// What the generated Grafana dashboards are made for: the business metrics the
/// registry holds and the objectives of the configured alerts.
fn grafana_service(name: &str) -> crate::grafana::Service {
    use crate::core::model::Kind;
    use crate::grafana::{BusinessMetric, Service};
    let snapshot = Snapshot::from_model(crate::core::snapshot(), 0.0);
    let mut service = Service::new(name);
    for (family, business) in &snapshot.business {
        let kind = match business.kind {
            history::MetricKind::Counter => Kind::Counter,
            history::MetricKind::Gauge => Kind::Gauge,
            history::MetricKind::Histogram => Kind::Histogram,
        };
        service = service.business(BusinessMetric::new(family, kind, &business.help));
    }
    for objective in crate::alerts::current().objectives() {
        service = service.objective(objective.clone());
    }
    service
}

/// `GET /dashboard/grafana.json[?service=NAME][&dashboard=overview]`.
async fn grafana(Query(query): Query<GrafanaQuery>) -> Response {
    let service = query
        .service
        .unwrap_or_else(|| crate::core::identity::current().service().to_owned());
    let wanted = query.dashboard;
    let built = tokio::task::spawn_blocking(move || {
        let dashboards = crate::grafana::dashboards(&grafana_service(&service));
        match wanted {
            None => Ok(serde_json::Value::Array(dashboards)),
            Some(wanted) => dashboards
                .into_iter()
                .find(|dashboard| {
                    dashboard["uid"]
                        .as_str()
                        .is_some_and(|uid| uid.ends_with(&format!("-{wanted}")))
                })
                .ok_or(wanted),
        }
    })
    .await;
    match built {
        Ok(Ok(json)) => (
            [(header::CONTENT_TYPE, "application/json")],
            json.to_string(),
        )
            .into_response(),
        Ok(Err(wanted)) => super::answer::short_error(
            StatusCode::NOT_FOUND,
            &format!(
                "no dashboard `{}`; there are overview, functions, http, business, health, objectives, system",
                super::answer::clip(&wanted)
            ),
        ),
        Err(error) => {
            tracing::error!(%error, "monitor: the Grafana dashboards could not be generated");
            super::answer::short_error(StatusCode::INTERNAL_SERVER_ERROR, "dashboards failed")
        }
    }
}

/// The registration problems, worded for people.
fn registration_problems() -> Vec<String> {
    crate::core::init().err().map_or_else(Vec::new, |error| {
        error.errors().iter().map(ToString::to_string).collect()
    })
}

// ---------------------------------------------------------------------------------
// The page

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}\
h1{margin:0 0 .3em}h2{margin:1.4em 0 .4em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;background:#fff}\
th,td{padding:.25em .7em;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}\
th{cursor:pointer;user-select:none;background:#f0f0f0}\
th.text,td.text,table.timed td:nth-child(-n+2){text-align:left}\
.bad{color:#b00}.ok{color:#070}.warn{color:#a60}\
.status{font-weight:bold;padding:0 .4em;border-radius:.3em;color:#fff}\
.status.healthy{background:#2a2}.status.degraded{background:#d80}.status.unhealthy{background:#c22}\
.banner{border:2px solid #b00;background:#fee;padding:.5em 1em;margin:1em 0}\
.charts{display:flex;flex-wrap:wrap;gap:1em}\
figure{margin:0;background:#fff;border:1px solid #ddd;padding:.4em}\
figcaption{font-size:.9em;color:#555}\
svg.chart{width:420px;height:150px;display:block}\
svg.spark{width:160px;height:28px;display:block}\
.legend{font-size:.8em;max-width:420px}.legend span{margin-right:.8em}\
input[type=search]{margin:.3em 0;padding:.2em .4em}\
.trace{display:inline-block;max-width:8ch;overflow:hidden;text-overflow:ellipsis;\
vertical-align:bottom;font-family:ui-monospace,monospace}\
.note{font-size:.85em;color:#555;max-width:60em}";

/// Renders the page for `data`, its trace ids linked to `trace_ui`.
fn render_page(data: &DashboardData, trace_ui: &TraceUi) -> String {
    let mut page = String::with_capacity(8192);
    // Titled by the service it shows (the process' identity).
    let service = escape(crate::core::identity::current().service());
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width\">\n\
         <title>{service} · monitor</title>\n<style>{STYLE}</style>\n\
         <script src=\"dashboard/app.js\" defer></script>\n</head>\n\
         <body data-refresh-ms=\"{REFRESH_MS}\"{}>\n<h1>{service}</h1>\n<nav>",
        // The script links the trace ids it updates alike.
        trace_ui
            .template
            .as_deref()
            .map_or_else(String::new, |template| format!(
                " data-trace-ui=\"{}\"",
                escape(template)
            ))
    );
    for (index, (path, label)) in DASHBOARD_LINKS.iter().chain(PAGE_LINKS).enumerate() {
        if index > 0 {
            page.push_str(" · ");
        }
        // Relative (`metrics`, not `/metrics`): the dashboard and its neighbours are
        // found under whatever prefix the router is nested at.
        let relative = path.trim_start_matches('/');
        let _ = write!(
            page,
            "<a href=\"{}\">{}</a>",
            escape(relative),
            escape(label)
        );
    }
    let _ = writeln!(
        page,
        "</nav>\n<p class=\"note\" id=\"updated\">History: {} readings, one every {} s, \
         kept for {} min. Rates, ratios and percentiles cover the last {} s.</p>",
        data.samples,
        data.interval_seconds,
        data.retention_seconds / 60.0,
        RECENT.as_secs()
    );
    render_problems(&mut page, &data.problems);
    render_health(&mut page, &data.health);
    page.push_str(
        "<h2>Active alerts</h2>\n<div id=\"alerts\"><noscript>Active alerts are read \
         from <code>alerts</code> by the page's script.</noscript></div>\n",
    );
    render_timed(
        &mut page,
        "functions",
        "Monitored functions",
        ("module", "function"),
        &data.history.functions,
        "No function is annotated with <code>#[monitored]</code>.",
        trace_ui,
    );
    render_timed(
        &mut page,
        "routes",
        "HTTP routes",
        ("method", "route"),
        &data.history.routes,
        "No HTTP route is measured (add <code>HttpMetricsLayer</code> to the application's router).",
        trace_ui,
    );
    render_business(&mut page, data);
    render_system(&mut page, &data.system);
    page.push_str(
        "<p class=\"note\">Percentiles are estimated from histogram buckets, as Prometheus' \
         <code>histogram_quantile</code> does: each lies inside one bucket, whose bounds \
         show on hover; <q>≤ x</q> means inside the first bucket, <q>&gt; x</q> past the \
         last finite bound. The default buckets of <code>#[monitored]</code> and of the \
         HTTP layer run from 100 µs to 10 s, each bound 2 to 2.5 times the one before: \
         give a function whose timings matter at a finer grain <code>buckets = [...]</code> \
         of its own (a route, <code>duration_buckets</code>).</p>\n\
         <p class=\"note\">The <q>p99 trace</q> is a traced call that explains the p99: of \
         the calls traced in the same recent past, in the p99's bucket or a slower one, \
         the one of the slowest bucket (the latest of that bucket). Histograms keep one \
         traced call per bucket, so a p99 with no traced call there shows none. Hover \
         for the whole id and the call's duration; copying the cell copies the whole id.\
         </p>\n</body>\n</html>\n",
    );
    page
}

fn render_problems(page: &mut String, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let _ = writeln!(
        page,
        "<div class=\"banner bad\" role=\"alert\" id=\"problems\"><p><strong>{} registration \
         problem(s)</strong>: the items involved still run, but some of their series are \
         left out of <code>/metrics</code>.</p>\n<ul>",
        problems.len()
    );
    for problem in problems {
        let _ = writeln!(page, "<li>{}</li>", escape(problem));
    }
    page.push_str("</ul></div>\n");
}

fn render_health(page: &mut String, health: &HealthView) {
    let _ = writeln!(
        page,
        "<h2>Health <span class=\"status {0}\" id=\"health-status\">{0}</span></h2>",
        health.status
    );
    if health.checks.is_empty() {
        page.push_str("<p>No health check is registered.</p>\n");
        return;
    }
    page.push_str(
        "<table id=\"health\" data-sortable>\n<thead><tr><th class=\"text\">check</th>\
         <th class=\"text\">probe</th><th class=\"text\">critical</th>\
         <th class=\"text\">status</th><th>last run</th><th class=\"text\">reason</th>\
         </tr></thead>\n<tbody>\n",
    );
    for check in &health.checks {
        let reason = match (&check.reason, health.detailed) {
            (Some(reason), _) => escape(reason),
            (None, true) => String::new(),
            (None, false) => "<i>hidden: not authorised</i>".to_owned(),
        };
        let _ = writeln!(
            page,
            "<tr data-key=\"{name}\"><td class=\"text\">{name}</td><td class=\"text\">{}</td>\
             <td class=\"text\">{}</td><td class=\"text\"><span class=\"status {status}\" \
             data-field=\"status\">{status}</span></td><td>{}</td>\
             <td class=\"text\" data-field=\"reason\">{reason}</td></tr>",
            check.probe,
            if check.critical { "yes" } else { "no" },
            seconds(check.duration_seconds),
            name = escape(&check.name),
            status = check.status,
        );
    }
    page.push_str("</tbody></table>\n");
}

fn quantile_cell(quantile: Option<&Quantile>) -> String {
    let Some(q) = quantile else {
        return "<td>–</td>".to_owned();
    };
    let upper = if q.upper.is_finite() {
        seconds(q.upper)
    } else {
        "+Inf".to_owned()
    };
    let text = if q.upper.is_infinite() {
        format!("&gt; {}", seconds(q.lower))
    } else if q.lower <= 0.0 {
        format!("≤ {upper}")
    } else {
        format!("≈ {}", seconds(q.value))
    };
    format!(
        "<td title=\"between {} and {upper}\">{text}</td>",
        seconds(q.lower)
    )
}

/// The cell of the trace that explains a p99: the whole id (the style shortens
/// it on screen), a link when there is a trace UI.
fn trace_cell(exemplar: Option<&BucketExemplar>, trace_ui: &TraceUi) -> String {
    let Some(exemplar) = exemplar else {
        return "<td class=\"text\">–</td>".to_owned();
    };
    // Hex digits only, from the number: nothing to escape.
    let id = format!("{:032x}", exemplar.trace_id);
    let title = format!(
        "trace {id}: a call of {} at the p99 or slower",
        seconds(exemplar.seconds)
    );
    match trace_ui.link(exemplar.trace_id) {
        Some(link) => format!(
            "<td class=\"text\"><a class=\"trace\" data-trace-id=\"{id}\" href=\"{}\" \
             rel=\"noopener noreferrer\" target=\"_blank\" title=\"{title}\">{id}</a></td>",
            escape(&link)
        ),
        None => format!(
            "<td class=\"text\"><code class=\"trace\" data-trace-id=\"{id}\" \
             title=\"{title}\">{id}</code></td>"
        ),
    }
}

fn render_timed(
    page: &mut String,
    id: &str,
    title: &str,
    (group, name): (&str, &str),
    rows: &[TimedView],
    empty: &str,
    trace_ui: &TraceUi,
) {
    let _ = writeln!(page, "<h2>{title}</h2>");
    if rows.is_empty() {
        let _ = writeln!(page, "<p>{empty}</p>");
        return;
    }
    let _ = writeln!(
        page,
        "<div class=\"charts\" data-charts=\"{id}\">\
         <figure><figcaption>calls per second</figcaption><svg class=\"chart\" data-chart=\"{id}\" data-metric=\"rate\" viewBox=\"0 0 420 150\" preserveAspectRatio=\"none\"></svg><div class=\"legend\"></div></figure>\
         <figure><figcaption>error ratio</figcaption><svg class=\"chart\" data-chart=\"{id}\" data-metric=\"error_ratio\" viewBox=\"0 0 420 150\" preserveAspectRatio=\"none\"></svg><div class=\"legend\"></div></figure>\
         <figure><figcaption>p95 latency (seconds)</figcaption><svg class=\"chart\" data-chart=\"{id}\" data-metric=\"p95\" viewBox=\"0 0 420 150\" preserveAspectRatio=\"none\"></svg><div class=\"legend\"></div></figure>\
         <noscript>Charts need JavaScript; the table below does not.</noscript></div>"
    );
    let _ = writeln!(
        page,
        "<input type=\"search\" placeholder=\"filter\" data-filter=\"{id}\" aria-label=\"filter {id}\">\n\
         <table id=\"{id}\" class=\"timed\" data-sortable>\n<thead><tr><th class=\"text\">{group}</th>\
         <th class=\"text\">{name}</th><th>calls</th><th>errors</th><th>calls/s</th>\
         <th>error ratio</th><th>in progress</th><th>mean</th><th>p50</th><th>p95</th>\
         <th>p99</th><th class=\"text\" title=\"a traced call at the p99 or slower\">p99 trace</th>\
         </tr></thead>\n<tbody>"
    );
    for row in rows {
        let recent = &row.recent;
        let ratio = recent.error_ratio;
        let _ = writeln!(
            page,
            "<tr data-key=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td{}>{}</td><td>{}</td><td>{}</td>{}{}{}{}</tr>",
            escape(&format!("{}\u{1f}{}", row.group, row.name)),
            escape(&row.group),
            escape(&row.name),
            row.calls,
            row.errors,
            recent
                .rate
                .map_or_else(|| "–".to_owned(), |rate| format!("{rate:.2}")),
            if ratio.is_some_and(|ratio| ratio > 0.0) {
                " class=\"bad\""
            } else {
                ""
            },
            ratio.map_or_else(|| "–".to_owned(), |ratio| format!("{:.1} %", ratio * 100.0)),
            row.in_flight,
            recent.mean_seconds.map_or_else(|| "–".to_owned(), seconds),
            quantile_cell(recent.p50.as_ref()),
            quantile_cell(recent.p95.as_ref()),
            quantile_cell(recent.p99.as_ref()),
            trace_cell(row.p99_exemplar.as_ref(), trace_ui),
        );
    }
    page.push_str("</tbody></table>\n");
}

fn render_business(page: &mut String, data: &DashboardData) {
    page.push_str("<h2>Business metrics</h2>\n");
    let metrics = &data.history.business;
    if metrics.is_empty() {
        page.push_str("<p>No business metric is declared.</p>\n");
        return;
    }
    page.push_str(
        "<input type=\"search\" placeholder=\"filter\" data-filter=\"business\" aria-label=\"filter business\">\n\
         <table id=\"business\" data-sortable>\n<thead><tr><th class=\"text\">metric</th>\
         <th class=\"text\">kind</th><th>value</th><th>per second</th><th>label sets</th>\
         <th class=\"text\">last hour</th><th class=\"text\">help</th></tr></thead>\n<tbody>\n",
    );
    for metric in metrics {
        let _ = writeln!(
            page,
            "<tr data-key=\"{name}\"><td class=\"text\">{name}</td><td class=\"text\">{}</td>\
             <td data-field=\"value\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"text\"><svg class=\"spark\" data-spark=\"{name}\" viewBox=\"0 0 160 28\" preserveAspectRatio=\"none\"></svg></td>\
             <td class=\"text\">{}</td></tr>",
            metric.kind,
            metric.value,
            metric
                .recent_rate
                .map_or_else(|| "–".to_owned(), |rate| format!("{rate:.3}")),
            metric.label_sets,
            escape(&metric.help),
            name = escape(&metric.name),
        );
    }
    page.push_str("</tbody></table>\n");
}

fn bytes(value: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = value;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn render_system(page: &mut String, system: &SystemView) {
    page.push_str(
        "<h2>System resources</h2>\n<table id=\"system\">\n<thead><tr><th class=\"text\">what</th>\
         <th>value</th></tr></thead>\n<tbody>\n",
    );
    let mut row = |what: &str, field: &str, value: String| {
        let _ = writeln!(
            page,
            "<tr><td class=\"text\">{what}</td><td data-field=\"{field}\">{value}</td></tr>"
        );
    };
    if let Some(cpu) = system.host_cpu_utilization {
        row(
            &format!(
                "host CPU busy ({} logical CPUs)",
                system.host_logical_cores.unwrap_or(0)
            ),
            "host_cpu",
            format!("{:.1} %", cpu * 100.0),
        );
    }
    if let (Some(used), Some(size)) = (system.host_memory_used_bytes, system.host_memory_size_bytes)
    {
        row(
            "host memory used",
            "host_memory",
            format!("{} of {}", bytes(used as f64), bytes(size as f64)),
        );
    }
    for (mount, size, available) in &system.disks {
        row(
            &format!("disk {} available", escape(mount)),
            "disk",
            format!("{} of {}", bytes(*available as f64), bytes(*size as f64)),
        );
    }
    if let Some(cpu) = system.process_cpu_seconds {
        row("process CPU time", "process_cpu", format!("{cpu:.2} s"));
    }
    if let Some(memory) = system.process_resident_memory_bytes {
        row("process resident memory", "process_memory", bytes(memory));
    }
    if let Some(open) = system.process_open_fds {
        row(
            "process open files",
            "process_fds",
            match system.process_max_fds {
                Some(max) => format!("{open} of {max}"),
                None => format!("{open}"),
            },
        );
    }
    page.push_str("</tbody></table>\n");
}

/// A duration in the most readable unit.
fn seconds(value: f64) -> String {
    if value.is_infinite() {
        "+Inf".to_owned()
    } else if value >= 1.0 {
        format!("{value:.2} s")
    } else if value >= 1e-3 {
        format!("{:.2} ms", value * 1e3)
    } else {
        format!("{:.1} µs", value * 1e6)
    }
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::Status;

    fn data(history: HistoryView, problems: Vec<String>) -> DashboardData {
        DashboardData {
            interval_seconds: 5.0,
            retention_seconds: 3600.0,
            samples: 2,
            live: live(&Snapshot::default()),
            history,
            health: HealthView {
                status: "degraded",
                ready: true,
                detailed: false,
                checks: vec![CheckRow {
                    name: "cache".to_owned(),
                    probe: "readiness",
                    critical: false,
                    status: Status::Degraded.as_str(),
                    reason: None,
                    duration_seconds: 0.001,
                }],
            },
            system: SystemView::default(),
            problems,
        }
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn page_lists_rows_links_health_and_problems() {
        use crate::core::model::{Family, Kind, Labels, Value};
        let labels = Labels::new([("function", "place<T>"), ("module", "shop::orders")]);
        let mut calls = Family::new("function_calls_total", "", Kind::Counter);
        calls.push(labels.with("result", "ok"), Value::counter(3.0));
        calls.push(labels.with("result", "error"), Value::counter(1.0));
        let reading = crate::core::model::Snapshot {
            families: vec![calls],
        };
        let mut history = history::History::new(history::RETENTION);
        history.record(Snapshot::from_model(reading, 0.0));
        let view = history.view(RECENT);
        let page = render_page(&data(view.clone(), Vec::new()), &TraceUi::default());
        assert!(page.contains("<td>shop::orders</td><td>place&lt;T&gt;</td><td>4</td><td>1</td>"));
        for (path, _) in DASHBOARD_LINKS.iter().chain(PAGE_LINKS) {
            assert!(page.contains(&format!("href=\"{}\"", &path[1..])));
        }
        assert!(page.contains("src=\"dashboard/app.js\""));
        assert!(
            page.contains("<span class=\"status degraded\" data-field=\"status\">degraded</span>")
        );
        assert!(page.contains("hidden: not authorised"));
        assert!(!page.contains("registration problem"));
        let banner = render_page(
            &data(view, vec!["clash <at> a.rs:1".to_owned()]),
            &TraceUi::default(),
        );
        assert!(banner.contains("1 registration problem(s)"));
        assert!(banner.contains("<li>clash &lt;at&gt; a.rs:1</li>"));
        let empty = render_page(
            &data(HistoryView::default(), Vec::new()),
            &TraceUi::default(),
        );
        assert!(empty.contains("No function is annotated"));
    }

    #[test]
    fn percentile_cells_say_how_precise_they_are() {
        let first = Quantile {
            value: 0.004,
            lower: 0.0,
            upper: 0.005,
        };
        assert_eq!(
            quantile_cell(Some(&first)),
            "<td title=\"between 0.0 µs and 5.00 ms\">≤ 5.00 ms</td>"
        );
        let past = Quantile {
            value: 10.0,
            lower: 10.0,
            upper: f64::INFINITY,
        };
        assert!(quantile_cell(Some(&past)).contains("&gt; 10.00 s"));
        let inside = Quantile {
            value: 0.03,
            lower: 0.025,
            upper: 0.05,
        };
        assert!(quantile_cell(Some(&inside)).contains("≈ 30.00 ms"));
    }

    #[test]
    fn only_http_and_https_trace_ui_addresses_are_linked_to() {
        let jaeger = "http://localhost:16686/trace/{trace_id}";
        assert_eq!(checked_template(jaeger), Ok(Some(jaeger)));
        let tempo = "HTTPS://grafana.example/explore?left=%7B%22query%22:%22{trace_id}%22%7D";
        assert_eq!(checked_template(&format!(" {tempo}\n")), Ok(Some(tempo)));
        assert_eq!(checked_template(""), Ok(None), "empty: no links");
        for (refused, why) in [
            ("javascript:alert(1)//{trace_id}", "not `javascript:`"),
            ("JavaScript://x/{trace_id}", "not `JavaScript:`"),
            ("data:text/html,{trace_id}", "not `data:`"),
            ("/trace/{trace_id}", "not an http or https address"),
            ("http:/x/{trace_id}", "no host"),
            ("https:///{trace_id}", "no host"),
            ("http://jaeger/trace/", "no `{trace_id}`"),
            ("http://jaeger/\tjavascript:{trace_id}", "control character"),
            ("http://jaeger/ {trace_id}", "a space"),
        ] {
            let error = checked_template(refused).expect_err(refused);
            assert!(error.contains(why), "{refused}: {error}");
            assert_eq!(TraceUi::configured(refused, "test"), TraceUi::default());
        }
    }

    #[test]
    fn a_trace_id_shows_whole_and_links_with_hex_digits_only() {
        let exemplar = BucketExemplar {
            upper: 0.5,
            trace_id: 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736,
            seconds: 0.312,
            at: 100.0,
        };
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        let plain = trace_cell(Some(&exemplar), &TraceUi::default());
        assert_eq!(
            plain,
            format!(
                "<td class=\"text\"><code class=\"trace\" data-trace-id=\"{id}\" \
                 title=\"trace {id}: a call of 312.00 ms at the p99 or slower\">{id}</code></td>"
            )
        );
        let ui = TraceUi::configured("http://jaeger:16686/trace/{trace_id}?a=1&b=\"", "test");
        let linked = trace_cell(Some(&exemplar), &ui);
        assert!(
            linked.contains(&format!(
                "href=\"http://jaeger:16686/trace/{id}?a=1&amp;b=&quot;\" rel=\"noopener noreferrer\""
            )),
            "{linked}"
        );
        assert!(linked.contains(&format!(">{id}</a></td>")), "{linked}");
        // Small ids keep their 32 digits.
        let small = BucketExemplar {
            trace_id: 1,
            ..exemplar
        };
        assert!(trace_cell(Some(&small), &ui).contains("/trace/00000000000000000000000000000001?"));
        assert_eq!(trace_cell(None, &ui), "<td class=\"text\">–</td>");
        let page = render_page(&data(HistoryView::default(), Vec::new()), &ui);
        assert!(
            page.contains(
                "data-trace-ui=\"http://jaeger:16686/trace/{trace_id}?a=1&amp;b=&quot;\""
            ),
            "the script links alike"
        );
        let refused = TraceUi::configured("javascript:alert(1)//{trace_id}", "test");
        let page = render_page(&data(HistoryView::default(), Vec::new()), &refused);
        assert!(!page.contains("javascript:") && !page.contains("data-trace-ui"));
    }
}
