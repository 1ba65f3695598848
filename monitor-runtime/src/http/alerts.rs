//! The alert routes: `GET /alerts/rules.yml` (the process' definitions as a
//! Prometheus rule file), `GET /alerts` (the embedded evaluator's active alerts)
//! and `GET /alerts/history` (its recent transitions); and the loop that runs the
//! embedded evaluator and sends its notifications to Alertmanager and a webhook.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::{Request, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};
use hyper_util::rt::TokioIo;
use serde::Serialize;

use crate::alerts::EmbeddedAlerts;
use crate::alerts::embedded::{self, ActiveAlert, Notification, Transition};
use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{Background, Claim, Signals, Source, SourceLocation};

/// The content type of the rule file.
const YAML: &str = "application/yaml";

/// How long one notification may take before it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// The alert routes, merged into the exporter's.
pub(super) fn routes() -> Router {
    route_table()
        .into_iter()
        .fold(Router::new(), |router, (path, route)| {
            router.route(path, route)
        })
}

/// The alert routes: the router's, and the paths the HTTP metrics layer leaves out.
pub(super) fn route_table() -> [(&'static str, MethodRouter); 3] {
    [
        ("/alerts/rules.yml", get(rules)),
        ("/alerts", get(active)),
        ("/alerts/history", get(history)),
    ]
}

async fn rules() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, YAML)],
        crate::alerts::current().rules().to_yaml(),
    )
}

#[derive(Serialize)]
struct ActiveAlerts {
    alerts: Vec<ActiveAlert>,
}

#[derive(Serialize)]
struct AlertHistory {
    transitions: Vec<Transition>,
}

/// `{"alerts":[{"name", "state", "severity", "labels", "annotations",
/// "active_since", "value"}]}`: empty until the embedded evaluator runs.
async fn active() -> impl IntoResponse {
    axum::Json(ActiveAlerts {
        alerts: embedded::active(),
    })
}

/// `{"transitions":[{"name", "labels", "from", "to", "at", "value"}]}`, oldest first.
async fn history() -> impl IntoResponse {
    axum::Json(AlertHistory {
        transitions: embedded::history(),
    })
}

/// `monitor_alert_notifications_total{receiver, result}`.
struct Notifications {
    /// By receiver, then result, as [`RECEIVERS`] and [`RESULTS`] order them.
    counts: [AtomicU64; 4],
    /// The labels of each count, built once.
    labels: OnceLock<[Labels; 4]>,
}

const NOTIFICATIONS: &str = "monitor_alert_notifications_total";
const NOTIFICATIONS_HELP: &str = "Notifications of the embedded alert evaluator, by receiver \
                                  (alertmanager, webhook) and result (sent, failed).";
const RECEIVERS: [&str; 2] = ["alertmanager", "webhook"];
const RESULTS: [&str; 2] = ["failed", "sent"];

impl Notifications {
    /// Counts a notification to `receiver` (of [`RECEIVERS`]) with `result` (of
    /// [`RESULTS`]).
    fn inc(&self, receiver: &str, result: &str) {
        let receiver = RECEIVERS.iter().position(|known| *known == receiver);
        let result = RESULTS.iter().position(|known| *known == result);
        if let (Some(receiver), Some(result)) = (receiver, result) {
            self.counts[receiver * RESULTS.len() + result].fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Source for Notifications {
    fn collect(&self, out: &mut Vec<Family>) {
        let labels = self.labels.get_or_init(|| {
            std::array::from_fn(|at| {
                Labels::new([
                    ("receiver", RECEIVERS[at / RESULTS.len()]),
                    ("result", RESULTS[at % RESULTS.len()]),
                ])
            })
        });
        let mut family = Family::new(NOTIFICATIONS, NOTIFICATIONS_HELP, Kind::Counter);
        for (labels, count) in labels.iter().zip(&self.counts) {
            family.push(
                labels.clone(),
                Value::counter(count.load(Ordering::Relaxed) as f64),
            );
        }
        out.push(family);
    }
}

/// The notification counts, their family added to the snapshots on first use.
#[track_caller]
fn notifications() -> &'static Notifications {
    static COUNTS: Notifications = Notifications {
        counts: [const { AtomicU64::new(0) }; 4],
        labels: OnceLock::new(),
    };
    static ADDED: Once = Once::new();
    if !ADDED.is_completed() {
        let location = SourceLocation::of(std::panic::Location::caller());
        ADDED.call_once(|| {
            let claim = Claim::new(NOTIFICATIONS, Kind::Counter, NOTIFICATIONS_HELP);
            super::own::add_own(&COUNTS, claim, location);
        });
    }
    &COUNTS
}

impl EmbeddedAlerts {
    /// Starts the embedded evaluator on the current tokio runtime: every
    /// [interval](Self::interval) it samples the exposition, evaluates the
    /// process' alert definitions ([`crate::alerts::current`]), logs each
    /// transition, and posts firing and resolved alerts to the Alertmanager and
    /// the webhook configured. `GET /alerts` and `GET /alerts/history` show its
    /// state. A receiver that cannot be reached is logged and counted in
    /// `monitor_alert_notifications_total{result="failed"}`; evaluation goes on.
    /// [`Background::now`] evaluates between two intervals; [`Background::stop`]
    /// stops evaluating (the active alerts stay as they were). Needs the `http`
    /// feature.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use monitor_runtime::alerts::EmbeddedAlerts;
    ///
    /// let evaluator = EmbeddedAlerts::new().interval(Duration::from_secs(5)).start();
    /// evaluator.stop().await.unwrap();
    /// # }
    /// ```
    pub fn start(self) -> Background {
        embedded::configure(&self);
        notifications();
        Background::start("embedded alerts", None, move |signals| async move {
            let Signals { now, mut stop } = signals;
            let mut ticks = tokio::time::interval(self.interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = now.notified() => {}
                    () = stop.requested() => return Ok(()),
                }
                self.evaluate_and_notify().await;
            }
        })
    }

    /// One evaluation, and the notifications it gives posted.
    async fn evaluate_and_notify(&self) {
        let evaluation = embedded::sample_and_evaluate();
        if evaluation.notifications.is_empty() {
            return;
        }
        if let Some(url) = &self.alertmanager {
            let body =
                serde_json::to_vec(&evaluation.notifications).expect("notifications serialise");
            send("alertmanager", &format!("{url}/api/v2/alerts"), body).await;
        }
        if let Some(url) = &self.webhook {
            for (status, alerts) in split(&evaluation.notifications) {
                let body = serde_json::to_vec(&WebhookMessage::new(status, alerts))
                    .expect("notifications serialise");
                send("webhook", url, body).await;
            }
        }
    }
}

/// The firing and the resolved notifications apart: a webhook message has one status.
fn split(notifications: &[Notification]) -> Vec<(&'static str, Vec<&Notification>)> {
    let (resolved, firing): (Vec<&Notification>, Vec<&Notification>) =
        notifications.iter().partition(|n| n.resolved);
    [("firing", firing), ("resolved", resolved)]
        .into_iter()
        .filter(|(_, alerts)| !alerts.is_empty())
        .collect()
}

/// Alertmanager's webhook format (version 4), so that a receiver written for
/// Alertmanager takes the embedded evaluator's notifications as they are.
#[derive(Serialize)]
struct WebhookMessage<'a> {
    version: &'static str,
    status: &'static str,
    receiver: &'static str,
    #[serde(rename = "groupLabels")]
    group_labels: std::collections::BTreeMap<String, String>,
    #[serde(rename = "commonLabels")]
    common_labels: std::collections::BTreeMap<String, String>,
    alerts: Vec<WebhookAlert<'a>>,
}

#[derive(Serialize)]
struct WebhookAlert<'a> {
    status: &'static str,
    #[serde(flatten)]
    alert: &'a Notification,
}

impl<'a> WebhookMessage<'a> {
    fn new(status: &'static str, alerts: Vec<&'a Notification>) -> Self {
        let mut common = alerts
            .first()
            .map(|alert| alert.labels.clone())
            .unwrap_or_default();
        common.retain(|name, value| alerts.iter().all(|a| a.labels.get(name) == Some(value)));
        WebhookMessage {
            version: "4",
            status,
            receiver: "monitor-runtime",
            group_labels: std::collections::BTreeMap::new(),
            common_labels: common,
            alerts: alerts
                .into_iter()
                .map(|alert| WebhookAlert { status, alert })
                .collect(),
        }
    }
}

/// Posts `body` as JSON to `url`, counting the result.
async fn send(receiver: &'static str, url: &str, body: Vec<u8>) {
    let result = tokio::time::timeout(SEND_TIMEOUT, post(url, body))
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {SEND_TIMEOUT:?}")));
    let outcome = match result {
        Ok(()) => "sent",
        Err(error) => {
            tracing::warn!(receiver, url, %error, "alert notification failed");
            "failed"
        }
    };
    notifications().inc(receiver, outcome);
}

async fn post(url: &str, body: Vec<u8>) -> Result<(), String> {
    let uri: axum::http::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err("only http:// receivers are supported".to_owned());
    }
    let authority = uri.authority().ok_or("no host in the URL")?.clone();
    let port = authority.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((authority.host(), port))
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    let driver = tokio::spawn(connection);
    let path = uri.path_and_query().map_or("/", |path| path.as_str());
    let request = Request::post(path)
        .header(header::HOST, authority.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body))
        .map_err(|e| format!("request: {e}"))?;
    let response = sender.send_request(request).await;
    driver.abort();
    let response = response.map_err(|e| format!("request failed: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_count_by_receiver_and_result_from_zero() {
        notifications().inc("webhook", "failed");
        notifications().inc("webhook", "failed");
        notifications().inc("alertmanager", "sent");
        let snapshot = crate::core::snapshot();
        let family = snapshot.family(NOTIFICATIONS).unwrap();
        assert_eq!(family.kind, Kind::Counter);
        assert_eq!(family.series.len(), 4);
        let count = |receiver, result| {
            snapshot.value(NOTIFICATIONS, &[("receiver", receiver), ("result", result)])
        };
        assert_eq!(count("webhook", "failed"), Some(2.0));
        assert_eq!(count("alertmanager", "sent"), Some(1.0));
        assert_eq!(count("alertmanager", "failed"), Some(0.0));
        assert_eq!(count("webhook", "sent"), Some(0.0));
    }
}
