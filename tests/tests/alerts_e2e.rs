//! End to end with real processes: a test app (its exporter on a free loopback
//! port), a real Prometheus scraping it every second and evaluating the generated
//! rules (short burn-rate windows), a real Alertmanager grouping every second with
//! the example configuration (its receivers pointed at a webhook inside the test),
//! and the embedded evaluator of the same process posting to that Alertmanager and
//! to the webhook.
//!
//! The app is healthy first (nothing fires), then half its calls fail, failed
//! logins spike and its critical health check turns unhealthy: every alert fires in
//! Prometheus, Alertmanager routes them to the paging receiver with their function
//! and severity labels, the embedded evaluator's own notifications are accepted and
//! routed too; then everything recovers and the resolved notifications arrive.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use monitor_runtime::alerts::{
    self, AlertSet, BurnWindow, EmbeddedAlerts, ServiceAlert, ServiceAlerts, Severity,
};
use monitor_runtime::{business_metric, health_check, monitored};
use monitor_tests::alertmanager::{self, AlertmanagerServer};
use monitor_tests::prometheus_server::PrometheusServer;
use monitor_tests::server::TestServer;
use monitor_tests::tools;
use monitor_tests::webhook::{Received, WebhookReceiver};
use serde_json::Value;

/// Bounds each wait so that a broken set-up fails instead of hanging; no assertion
/// on how fast anything is.
const PATIENCE: Duration = Duration::from_secs(90);

static FAILING: AtomicBool = AtomicBool::new(false);
static CALLS: AtomicU64 = AtomicU64::new(0);
static DB_DOWN: AtomicBool = AtomicBool::new(false);

/// Fails every other call while `FAILING` is set: 50 % errors.
#[monitored(objective(success = 0.99))]
fn answer() -> Result<(), String> {
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    if FAILING.load(Ordering::Relaxed) && call.is_multiple_of(2) {
        Err("failed".to_owned())
    } else {
        Ok(())
    }
}

#[business_metric(
    counter = "e2e_login_failures_total",
    help = "Failed logins",
    alert(
        rate_above = 2,
        over = "5s",
        severity = "critical",
        name = "LoginFailureSpike"
    )
)]
fn fail_login() {}

#[health_check(name = "e2e_db", readiness, critical, refresh = "200ms")]
fn database() -> bool {
    !DB_DOWN.load(Ordering::Relaxed)
}

/// The example configuration, its receivers pointed at the webhook (`/paging`,
/// `/chat`) and its timings at 1 s.
fn alertmanager_config(webhook: &WebhookReceiver) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/alertmanager/alertmanager.yml"
    );
    let mut config: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for key in ["group_wait", "group_interval"] {
        config["route"][key] = "1s".into();
    }
    for receiver in config["receivers"].as_sequence_mut().unwrap() {
        let name = receiver["name"].as_str().unwrap().to_owned();
        for hook in receiver["webhook_configs"].as_sequence_mut().unwrap() {
            hook["url"] = webhook.url(&format!("/{name}")).into();
        }
    }
    serde_norway::to_string(&config).unwrap()
}

/// The app's definitions: what is declared in the code (the objective of `answer`,
/// the failed-login alert), burn-rate windows of seconds, and the health alert
/// after 2 s; no other default alert (the process ones depend on the machine).
fn definitions() -> AlertSet {
    AlertSet::annotated("e2e")
        .burn_windows(vec![BurnWindow {
            long: Duration::from_secs(20),
            short: Duration::from_secs(5),
            factor: 14.4,
            severity: Severity::Critical,
        }])
        .service_alerts(
            ServiceAlerts::none()
                .enable(ServiceAlert::HealthUnhealthy)
                .for_(ServiceAlert::HealthUnhealthy, Duration::from_secs(2)),
        )
}

const ALERTS: [&str; 3] = [
    "AnswerErrorBudgetBurnPage",
    "LoginFailureSpike",
    "HealthCheckUnhealthy",
];

fn alerts_of(message: &Received) -> Vec<&Value> {
    message.body["alerts"].as_array().unwrap().iter().collect()
}

/// Whether `message`, sent to `path`, holds alert `name` in `status`, sent by
/// Prometheus (`source` label) or not (the embedded evaluator).
fn holds(message: &Received, path: &str, name: &str, status: &str, from_prometheus: bool) -> bool {
    message.path == path
        && alerts_of(message).iter().any(|alert| {
            alert["labels"]["alertname"] == name
                && alert["status"] == status
                && (alert["labels"]["source"] == "prometheus") == from_prometheus
        })
}

#[test]
fn alerts_fire_route_and_resolve_through_prometheus_and_alertmanager() {
    if !(tools::require("prometheus") && alertmanager::require()) {
        return;
    }
    alerts::configure(definitions());
    // Two scraped instances (two exporters of one registry): the rules sum over
    // instances, so each alert is one alert, with the same ratio.
    let app = TestServer::start();
    let replica = TestServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let webhook = WebhookReceiver::start().await;
        let alertmanager = AlertmanagerServer::start(&alertmanager_config(&webhook)).await;
        let prometheus = PrometheusServer::start_alerting(
            &[app.addr(), replica.addr()],
            &alerts::current().rules().to_yaml(),
            alertmanager.addr(),
        )
        .await;
        let embedded = EmbeddedAlerts::new()
            .interval(Duration::from_secs(1))
            .resend_every(Duration::from_secs(1))
            .alertmanager(&alertmanager.url())
            .webhook(&webhook.url("/embedded"))
            .start();

        // Load: 50 calls a second, and failed logins while `LOGINS` is set.
        let logins = std::sync::Arc::new(AtomicBool::new(false));
        let driver = {
            let logins = logins.clone();
            tokio::spawn(async move {
                loop {
                    for _ in 0..5 {
                        answer().ok();
                    }
                    if logins.load(Ordering::Relaxed) {
                        fail_login();
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };

        // Healthy: a scrape with calls, evaluations over it, and nothing fires.
        prometheus
            .query_until(
                "sum(rate(function_calls_total{function=\"answer\"}[5s]))",
                |r| r.first().is_some_and(|sample| sample.value > 0.0),
            )
            .await;
        tokio::time::sleep(Duration::from_secs(6)).await;
        let firing: Vec<Value> = prometheus.alerts().await;
        assert!(firing.is_empty(), "a healthy app fired: {firing:?}");
        assert!(alertmanager.alerts().await.is_empty());
        assert!(monitor_runtime::__private::active_alerts().is_empty());

        // Bad: 50 % errors, 10 failed logins a second, the database down.
        FAILING.store(true, Ordering::Relaxed);
        logins.store(true, Ordering::Relaxed);
        DB_DOWN.store(true, Ordering::Relaxed);

        // Firing in Prometheus' API.
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            let alerts = prometheus.alerts().await;
            let firing = |name: &str| {
                alerts
                    .iter()
                    .any(|alert| alert["labels"]["alertname"] == name && alert["state"] == "firing")
            };
            if ALERTS.iter().all(|name| firing(name)) {
                let page = alerts
                    .iter()
                    .find(|alert| alert["labels"]["alertname"] == "AnswerErrorBudgetBurnPage")
                    .unwrap();
                assert_eq!(page["labels"]["function"], "answer");
                assert_eq!(page["labels"]["objective"], "answer");
                assert_eq!(page["labels"]["severity"], "critical");
                for name in ALERTS {
                    let instances = alerts
                        .iter()
                        .filter(|alert| alert["labels"]["alertname"] == name)
                        .count();
                    assert_eq!(instances, 1, "{name} once over two instances: {alerts:#?}");
                }
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "not every alert fired in Prometheus: {alerts:#?}\n{}",
                prometheus.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }

        // Routed by Alertmanager to the paging receiver (critical), with the labels.
        for name in ALERTS {
            let message = webhook
                .wait_for(&format!("{name} firing on /paging"), PATIENCE, |m| {
                    holds(m, "/paging", name, "firing", true)
                })
                .await;
            let alert = alerts_of(&message)
                .into_iter()
                .find(|alert| alert["labels"]["alertname"] == name)
                .unwrap()
                .clone();
            assert_eq!(alert["labels"]["severity"], "critical", "{alert}");
            if name == "AnswerErrorBudgetBurnPage" {
                assert_eq!(alert["labels"]["function"], "answer", "{alert}");
                assert!(
                    alert["annotations"]["description"]
                        .as_str()
                        .unwrap()
                        .contains("of calls of alerts_e2e::answer"),
                    "{alert}"
                );
            }
            if name == "HealthCheckUnhealthy" {
                assert_eq!(alert["labels"]["check"], "e2e_db", "{alert}");
            }
        }
        assert!(
            !webhook.received().iter().any(|m| m.path == "/chat"
                && ALERTS.iter().any(|n| holds(m, "/chat", n, "firing", true))),
            "a critical alert went to the chat receiver"
        );

        // The embedded evaluator fired too: on its webhook directly, and through the
        // real Alertmanager, which accepted its alerts and routed them to paging.
        for name in ALERTS {
            webhook
                .wait_for(
                    &format!("{name} from the embedded evaluator"),
                    PATIENCE,
                    |m| holds(m, "/embedded", name, "firing", false),
                )
                .await;
            webhook
                .wait_for(
                    &format!("{name} from the embedded evaluator through Alertmanager"),
                    PATIENCE,
                    |m| holds(m, "/paging", name, "firing", false),
                )
                .await;
        }
        let embedded_alerts = monitor_runtime::__private::active_alerts();
        let page = embedded_alerts
            .iter()
            .find(|alert| alert.name == "AnswerErrorBudgetBurnPage")
            .expect("the embedded page is active");
        assert_eq!(page.labels["function"], "answer");
        assert!(page.value > 0.144, "{}", page.value);

        // Recovery: resolved notifications, from Prometheus through Alertmanager
        // and from the embedded evaluator.
        FAILING.store(false, Ordering::Relaxed);
        logins.store(false, Ordering::Relaxed);
        DB_DOWN.store(false, Ordering::Relaxed);
        for name in ALERTS {
            webhook
                .wait_for(&format!("{name} resolved on /paging"), PATIENCE, |m| {
                    holds(m, "/paging", name, "resolved", true)
                })
                .await;
            webhook
                .wait_for(
                    &format!("{name} resolved by the embedded evaluator"),
                    PATIENCE,
                    |m| holds(m, "/embedded", name, "resolved", false),
                )
                .await;
            webhook
                .wait_for(
                    &format!("{name} resolved by the embedded evaluator through Alertmanager"),
                    PATIENCE,
                    |m| holds(m, "/paging", name, "resolved", false),
                )
                .await;
        }
        assert!(monitor_runtime::__private::active_alerts().is_empty());
        driver.abort();
        embedded.stop().await.unwrap();
    });
}
