//! The health endpoints: JSON under `/health`, Kubernetes-style text under `/livez`
//! and `/readyz`. Behind the `http` cargo feature; the exporter in `crate::http` merges
//! them into its router, and nothing here imports the exporter.

use std::fmt::Write as _;
use std::time::SystemTime;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde_json::{Map, Value, json};

use super::engine::HealthRegistry;
use super::report::{CheckReport, HealthReport};
use super::types::{Component, Health, Probe, Status};

impl HealthRegistry {
    /// The health endpoints of this set as an axum [`Router`] (needs the `http`
    /// feature):
    ///
    /// | path | answer |
    /// |---|---|
    /// | `/health` | JSON tree of every check |
    /// | `/health/live`, `/health/ready`, `/health/startup` | JSON of one probe |
    /// | `/health/{name}` | JSON of one check; 404 with a JSON error for an unknown name |
    /// | `POST /health/{name}/run` | runs the check now ([`HealthRegistry::run_now`]) and answers its fresh JSON; only for callers with the token (401 without it, 403 when no token is set at all) |
    /// | `/livez`, `/readyz` | `ok`, or one line per check with `?verbose`; `?exclude=name` (repeatable) leaves checks out |
    ///
    /// `Healthy` and `Degraded` answer 200, `Unhealthy` 503. Once a token is set
    /// ([`HealthRegistry::set_token`]), callers without `Authorization: Bearer <token>`
    /// see statuses only: no reasons, details or parts.
    ///
    /// ```
    /// let app: axum::Router = monitor_runtime::health::HealthRegistry::new().routes();
    /// # let _ = app;
    /// ```
    ///
    /// Built inside a tokio runtime (as [`crate::serve`] and [`crate::router`] do),
    /// it starts the background refresh of the set's refreshed checks, so that they
    /// have a result before the first probe.
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn routes(&self) -> Router {
        self.start_background();
        route_table()
            .into_iter()
            .fold(Router::new(), |router, (path, route)| {
                router.route(path, route)
            })
            .with_state(self.clone())
    }
}

/// The health routes: the router's, and the paths the HTTP metrics layer leaves out.
pub(crate) fn route_table() -> [(&'static str, MethodRouter<HealthRegistry>); 8] {
    [
        ("/health", get(all)),
        ("/health/live", get(live)),
        ("/health/ready", get(ready)),
        ("/health/startup", get(startup)),
        ("/health/{name}", get(one)),
        ("/health/{name}/run", post(run_now)),
        ("/livez", get(livez)),
        ("/readyz", get(readyz)),
    ]
}

fn authorized(registry: &HealthRegistry, headers: &HeaderMap) -> bool {
    registry.is_authorized(
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok()),
    )
}

fn code(status: Status) -> StatusCode {
    StatusCode::from_u16(status.http_code()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn report_response(report: &HealthReport, detailed: bool) -> Response {
    json_response(code(report.status), report.to_json(detailed))
}

async fn all(State(registry): State<HealthRegistry>, headers: HeaderMap) -> Response {
    let report = registry.report_all().await;
    report_response(&report, authorized(&registry, &headers))
}

async fn probe(registry: HealthRegistry, headers: HeaderMap, probe: Probe) -> Response {
    let report = registry.report(probe).await;
    report_response(&report, authorized(&registry, &headers))
}

async fn live(State(registry): State<HealthRegistry>, headers: HeaderMap) -> Response {
    probe(registry, headers, Probe::Liveness).await
}

async fn ready(State(registry): State<HealthRegistry>, headers: HeaderMap) -> Response {
    probe(registry, headers, Probe::Readiness).await
}

async fn startup(State(registry): State<HealthRegistry>, headers: HeaderMap) -> Response {
    probe(registry, headers, Probe::Startup).await
}

async fn one(
    State(registry): State<HealthRegistry>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let detailed = authorized(&registry, &headers);
    match registry.check(&name).await {
        Some(report) => json_response(code(report.health.status()), report.to_json(detailed)),
        None => {
            let mut body = json!({ "error": format!("no health check named `{name}`") });
            if detailed {
                body["checks"] = json!(registry.names());
            }
            json_response(StatusCode::NOT_FOUND, body)
        }
    }
}

/// `POST /health/{name}/run`: a run now, for the holders of the exporter's
/// credentials only (the exporter hands them to the set as its token). Without a
/// token nobody is trusted to trigger runs, so the route refuses everyone.
async fn run_now(
    State(registry): State<HealthRegistry>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !registry.has_token() {
        return json_response(
            StatusCode::FORBIDDEN,
            json!({ "error": "running a check needs credentials: give the exporter a token or basic credentials (or the health set a token)" }),
        );
    }
    if !authorized(&registry, &headers) {
        let mut response = json_response(
            StatusCode::UNAUTHORIZED,
            json!({ "error": "running a check needs the exporter's credentials" }),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"monitor\""),
        );
        return response;
    }
    match registry.run_now(&name).await {
        Some(report) => json_response(code(report.health.status()), report.to_json(true)),
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({ "error": format!("no health check named `{name}`"), "checks": registry.names() }),
        ),
    }
}

async fn livez(
    State(registry): State<HealthRegistry>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    text_probe(registry, Probe::Liveness, query, headers).await
}

async fn readyz(
    State(registry): State<HealthRegistry>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    text_probe(registry, Probe::Readiness, query, headers).await
}

/// The Kubernetes answer: `ok` on success; with `?verbose`, or on failure, one line
/// per check (`[+]name ok`, `[-]name failed: reason`) and a closing verdict.
async fn text_probe(
    registry: HealthRegistry,
    probe: Probe,
    query: Option<String>,
    headers: HeaderMap,
) -> Response {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    let verbose = pairs
        .iter()
        .any(|(key, value)| key == "verbose" && !matches!(value.as_str(), "false" | "0"));
    let exclude: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "exclude")
        .map(|(_, value)| value.as_str())
        .collect();
    let report = registry.report_filtered(Some(probe), &exclude).await;
    let detailed = authorized(&registry, &headers);
    let endpoint = match probe {
        Probe::Liveness => "livez",
        Probe::Readiness => "readyz",
        Probe::Startup => "startupz",
    };
    let failed = report.status == Status::Unhealthy;
    let mut body = String::new();
    if verbose || failed {
        let reason = |text: Option<&str>| {
            if detailed {
                text.unwrap_or("no reason given").to_owned()
            } else {
                "reason withheld".to_owned()
            }
        };
        if probe == Probe::Readiness && !report.ready {
            // A readiness report that is not ready gives that as its reason.
            let _ = writeln!(
                body,
                "[-]ready failed: {}",
                reason(report.reason.as_deref())
            );
        }
        for check in &report.checks {
            let _ = match check.health.status() {
                Status::Healthy => writeln!(body, "[+]{} ok", check.name),
                Status::Degraded => writeln!(
                    body,
                    "[+]{} degraded: {}",
                    check.name,
                    reason(check.health.reason())
                ),
                Status::Unhealthy => writeln!(
                    body,
                    "[-]{} failed: {}",
                    check.name,
                    reason(check.health.reason())
                ),
            };
        }
        for name in &exclude {
            let _ = writeln!(body, "[+]{name} excluded: ok");
        }
        let verdict = if failed { "failed" } else { "passed" };
        let _ = writeln!(body, "{endpoint} check {verdict}");
    } else {
        body.push_str("ok\n");
    }
    let mut response = (code(report.status), body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl HealthReport {
    /// The JSON tree `/health` serves. With `detailed` false (a caller without the
    /// token) only the overall status is included. Needs the `http` feature.
    ///
    /// ```
    /// use monitor_runtime::health::HealthRegistry;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let report = HealthRegistry::new().report_all().await;
    /// assert_eq!(report.to_json(false), serde_json::json!({"status": "healthy"}));
    /// # }
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn to_json(&self, detailed: bool) -> Value {
        let mut object = Map::new();
        object.insert("status".into(), json!(self.status.as_str()));
        if !detailed {
            return Value::Object(object);
        }
        if let Some(probe) = self.probe {
            object.insert("probe".into(), json!(probe.as_str()));
        }
        if let Some(reason) = &self.reason {
            object.insert("reason".into(), json!(reason));
        }
        object.insert("ready".into(), json!(self.ready));
        let checks: Map<String, Value> = self
            .checks
            .iter()
            .map(|check| (check.name.clone(), check.to_json(true)))
            .collect();
        object.insert("checks".into(), Value::Object(checks));
        Value::Object(object)
    }
}

impl CheckReport {
    /// The JSON of this check: status, probe, critical, reason, details, duration,
    /// last run, and for a composite its parts under `checks`. With `detailed` false
    /// only the status. Needs the `http` feature.
    ///
    /// ```
    /// use monitor_runtime::health::HealthRegistry;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let checks = HealthRegistry::new();
    /// checks.register_fn("down", || false).unwrap();
    /// let json = checks.check("down").await.unwrap().to_json(true);
    /// assert_eq!(json["status"], "unhealthy");
    /// assert_eq!(json["reason"], "check returned false");
    /// # }
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    pub fn to_json(&self, detailed: bool) -> Value {
        let mut object = Map::new();
        object.insert("status".into(), json!(self.health.status().as_str()));
        if !detailed {
            return Value::Object(object);
        }
        object.insert("probe".into(), json!(self.probe.as_str()));
        object.insert("critical".into(), json!(self.critical));
        object.insert(
            "duration_seconds".into(),
            json!(self.duration.as_secs_f64()),
        );
        if let Some(last_run) = self.last_run {
            object.insert("last_run".into(), json!(rfc3339(last_run)));
        }
        health_fields(&mut object, &self.health);
        Value::Object(object)
    }
}

fn health_fields(object: &mut Map<String, Value>, health: &Health) {
    if let Some(reason) = health.reason() {
        object.insert("reason".into(), json!(reason));
    }
    if !health.details().is_empty() {
        object.insert("details".into(), json!(health.details()));
    }
    if !health.components().is_empty() {
        let parts: Map<String, Value> = health
            .components()
            .iter()
            .map(|component| (component.name.clone(), component_json(component)))
            .collect();
        object.insert("checks".into(), Value::Object(parts));
    }
}

fn component_json(component: &Component) -> Value {
    let mut object = Map::new();
    object.insert("status".into(), json!(component.health.status().as_str()));
    object.insert("critical".into(), json!(component.critical));
    object.insert(
        "duration_seconds".into(),
        json!(component.duration.as_secs_f64()),
    );
    health_fields(&mut object, &component.health);
    Value::Object(object)
}

/// `2026-11-23T23:10:00.123Z`.
fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[test]
    fn formats_timestamps() {
        let time = UNIX_EPOCH + Duration::from_millis(1_795_993_800_123);
        assert_eq!(rfc3339(time), "2026-11-29T23:10:00.123Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }
}
