//! The health endpoints: JSON under `/health`, Kubernetes-style text under `/livez`
//! and `/readyz`.

use std::fmt::Write as _;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::engine::HealthRegistry;
use super::report::HealthReport;
use super::types::{Probe, Status};

impl HealthRegistry {
    /// The health endpoints of this set as an axum [`Router`]:
    ///
    /// | path | answer |
    /// |---|---|
    /// | `/health` | JSON tree of every check |
    /// | `/health/live`, `/health/ready`, `/health/startup` | JSON of one probe |
    /// | `/health/{name}` | JSON of one check; 404 with a JSON error for an unknown name |
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
    pub fn routes(&self) -> Router {
        Router::new()
            .route("/health", get(all))
            .route("/health/live", get(live))
            .route("/health/ready", get(ready))
            .route("/health/startup", get(startup))
            .route("/health/{name}", get(one))
            .route("/livez", get(livez))
            .route("/readyz", get(readyz))
            .with_state(self.clone())
    }
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
