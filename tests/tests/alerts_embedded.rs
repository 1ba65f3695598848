//! The embedded evaluator runs the same definitions as the rule file over
//! snapshots of the model, in simulated time: a burn-rate page and a
//! threshold alert with `for` go pending, fire and resolve for a bad scenario, and
//! nothing happens for a healthy one; business and health alerts too. Its state is
//! served at `GET /alerts` and `GET /alerts/history` in the documented shape.

use std::time::{Duration, SystemTime};

use monitor_runtime::__private::{AlertState, Evaluator};
use monitor_runtime::alerts::{
    self, AlertSet, BurnWindow, BusinessAlert, EmbeddedAlerts, Objective, ServiceAlert,
    ServiceAlerts, Severity,
};
use monitor_runtime::business_metrics;
use monitor_runtime::model::{Family, Kind, Labels, Snapshot, Value};
use monitor_tests::http;
use monitor_tests::server::TestServer;

const STEP: Duration = Duration::from_secs(5);

fn set() -> AlertSet {
    AlertSet::new("app")
        .objective(Objective::new("answer", "app", "answer").success(0.99))
        .burn_windows(vec![BurnWindow {
            long: Duration::from_secs(60),
            short: Duration::from_secs(10),
            factor: 14.4,
            severity: Severity::Critical,
        }])
        .service_alerts(
            ServiceAlerts::none()
                .enable(ServiceAlert::ErrorRatioCritical)
                .rate_window(Duration::from_secs(30))
                .for_(ServiceAlert::ErrorRatioCritical, Duration::from_secs(30))
                .enable(ServiceAlert::HealthUnhealthy)
                .for_(ServiceAlert::HealthUnhealthy, Duration::from_secs(10)),
        )
        .business(
            BusinessAlert::rate_above("login_failures_total", 1.0)
                .window(Duration::from_secs(30))
                .severity(Severity::Critical),
        )
}

/// Counters and gauges of a test app after `ok` and `errors` calls and `failures`
/// failed logins, its database check healthy or not.
fn snapshot(ok: u64, errors: u64, failures: u64, db_healthy: bool) -> Snapshot {
    let (healthy, unhealthy) = if db_healthy { (1.0, 0.0) } else { (0.0, 1.0) };
    let mut calls = Family::new("function_calls_total", "Calls.", Kind::Counter);
    let call = |result| {
        Labels::new([
            ("function", "answer"),
            ("module", "app"),
            ("result", result),
        ])
    };
    calls.push(call("ok"), Value::counter(ok as f64));
    calls.push(call("error"), Value::counter(errors as f64));
    let mut logins = Family::new("login_failures_total", "Failed logins.", Kind::Counter);
    logins.push(Labels::empty(), Value::counter(failures as f64));
    let mut health = Family::new("health_check_status", "Check status.", Kind::Gauge);
    let check = |status| Labels::new([("check", "db"), ("probe", "readiness"), ("status", status)]);
    health.push(check("healthy"), Value::Gauge(healthy));
    health.push(check("unhealthy"), Value::Gauge(unhealthy));
    Snapshot {
        families: vec![calls, health, logins],
    }
}

struct Scenario {
    evaluator: Evaluator,
    now: SystemTime,
    ok: u64,
    errors: u64,
    failures: u64,
    db_healthy: bool,
    /// `(seconds since the start, alert, to)`.
    transitions: Vec<(u64, String, String)>,
    start: SystemTime,
}

impl Scenario {
    fn new() -> Self {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        Scenario {
            evaluator: Evaluator::new(&set(), Duration::from_secs(3600)),
            now: start,
            ok: 0,
            errors: 0,
            failures: 0,
            db_healthy: true,
            transitions: Vec::new(),
            start,
        }
    }

    /// Runs `steps` evaluations, 5 s apart, each after `calls` calls of which
    /// `errors` failed and `failures` failed logins.
    fn run(&mut self, steps: u32, calls: u64, errors: u64, failures: u64) {
        for _ in 0..steps {
            self.now += STEP;
            self.ok += calls - errors;
            self.errors += errors;
            self.failures += failures;
            let snapshot = snapshot(self.ok, self.errors, self.failures, self.db_healthy);
            self.evaluator.record(self.now, &snapshot);
            let elapsed = self.now.duration_since(self.start).unwrap().as_secs();
            for transition in self.evaluator.evaluate().transitions {
                self.transitions
                    .push((elapsed, transition.name, transition.to));
            }
        }
    }

    fn of(&self, alert: &str) -> Vec<(u64, &str)> {
        self.transitions
            .iter()
            .filter(|(_, name, _)| name == alert)
            .map(|(at, _, to)| (*at, to.as_str()))
            .collect()
    }
}

#[test]
fn a_healthy_run_stays_silent() {
    let mut scenario = Scenario::new();
    scenario.run(60, 100, 0, 0);
    assert!(
        scenario.transitions.is_empty(),
        "{:?}",
        scenario.transitions
    );
    assert!(scenario.evaluator.active().is_empty());
    // Every definition is evaluated: windows within the hour kept.
    let evaluated = scenario.evaluator.evaluated();
    for alert in [
        "AnswerErrorBudgetBurnPage",
        "FunctionErrorRatioCritical",
        "HealthCheckUnhealthy",
        "LoginFailuresTotalRateAbove",
    ] {
        assert!(evaluated.contains(&alert), "{alert} in {evaluated:?}");
    }
}

#[test]
fn half_the_calls_failing_fires_the_page_and_the_error_ratio_then_both_resolve() {
    let mut scenario = Scenario::new();
    scenario.run(12, 100, 0, 0);
    scenario.run(12, 100, 50, 0);
    scenario.run(24, 100, 0, 0);
    // Errors start at 65 s. The page needs no `for`: it fires as soon as both
    // windows are over 14.4 % errors: the 10 s one at once, the 60 s one at 80 s
    // (200 errors in 1200 calls since 20 s; 150 at 75 s is 12.5 %). Errors stop
    // after 120 s: at 130 s the short window is clean and the page resolves.
    assert_eq!(
        scenario.of("AnswerErrorBudgetBurnPage"),
        [(80, "firing"), (130, "resolved")]
    );
    // The threshold alert (over 5 % across 30 s) is pending at once and waits its
    // 30 s `for`; it resolves when its 30 s window is clean, at 150 s.
    assert_eq!(
        scenario.of("FunctionErrorRatioCritical"),
        [(65, "pending"), (95, "firing"), (150, "resolved")]
    );
}

#[test]
fn the_active_alert_carries_labels_annotations_and_the_measured_value() {
    let mut scenario = Scenario::new();
    scenario.run(12, 100, 0, 0);
    scenario.run(4, 100, 50, 0);
    let active = scenario.evaluator.active();
    let page = active
        .iter()
        .find(|alert| alert.name == "AnswerErrorBudgetBurnPage")
        .expect("the page is active");
    assert_eq!(page.state, AlertState::Firing);
    assert_eq!(page.severity, "critical");
    assert_eq!(page.labels["function"], "answer");
    assert_eq!(page.labels["objective"], "answer");
    assert_eq!(page.labels["alertname"], "AnswerErrorBudgetBurnPage");
    // Over the long window (60 s, from 20 s to 80 s): 200 errors in 1200 calls.
    assert!((page.value - 200.0 / 1200.0).abs() < 1e-9, "{}", page.value);
    assert!(
        page.annotations["description"].contains("16.67% of calls of app::answer"),
        "{:?}",
        page.annotations
    );
    assert!(page.active_since.ends_with('Z'), "{}", page.active_since);
}

#[test]
fn a_failed_login_spike_and_an_unhealthy_check_fire_and_resolve() {
    let mut scenario = Scenario::new();
    scenario.run(12, 10, 0, 0);
    scenario.run(6, 10, 0, 50);
    scenario.db_healthy = false;
    scenario.run(4, 10, 0, 0);
    scenario.db_healthy = true;
    scenario.run(12, 10, 0, 0);
    // 50 failures per 5 s is 10/s, over 1/s at once.
    assert_eq!(
        scenario.of("LoginFailuresTotalRateAbove")[..1],
        [(65, "firing")]
    );
    assert_eq!(scenario.of("LoginFailuresTotalRateAbove")[1].1, "resolved");
    assert_eq!(
        scenario.of("HealthCheckUnhealthy"),
        [(95, "pending"), (105, "firing"), (115, "resolved")]
    );
    assert!(scenario.of("FunctionErrorRatioCritical").is_empty());
}

#[test]
fn alerts_whose_windows_exceed_the_history_are_left_out_and_listed() {
    let set = AlertSet::new("app")
        .objective(Objective::new("answer", "app", "answer").success(0.99))
        .service_alerts(ServiceAlerts::default());
    let evaluator = Evaluator::new(&set, Duration::from_secs(3600));
    let skipped = evaluator.skipped();
    // The ticket alerts read 1 d and 3 d; `TargetDown` only Prometheus can see.
    assert!(skipped.contains(&"AnswerErrorBudgetBurnTicket".to_owned()));
    assert!(skipped.contains(&"TargetDown".to_owned()));
    // The page keeps its 1 h / 5 m pair (its 6 h / 30 m one is beyond the hour).
    assert!(evaluator.evaluated().contains(&"AnswerErrorBudgetBurnPage"));
    assert!(
        evaluator
            .evaluated()
            .contains(&"FunctionErrorRatioCritical")
    );
    let short = Evaluator::new(&set, Duration::from_secs(1800));
    assert!(
        short
            .skipped()
            .contains(&"AnswerErrorBudgetBurnPage".to_owned())
    );
    let long = Evaluator::new(&set, Duration::from_secs(4 * 86_400));
    assert_eq!(long.skipped(), ["TargetDown"]);
}

business_metrics! {
    gauge BACKLOG = "embedded_backlog_items", help = "Items waiting";
}

#[test]
fn get_alerts_and_history_serve_the_evaluator_state() {
    BACKLOG.set(0.0, []);
    alerts::configure(
        AlertSet::new("embedded")
            .service_alerts(ServiceAlerts::none())
            .business(BusinessAlert::gauge_above("embedded_backlog_items", 10.0)),
    );
    let server = TestServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let handle = EmbeddedAlerts::new()
            .interval(Duration::from_millis(100))
            .start();
        let get = |path: &'static str| {
            let url = server.url(path);
            async move {
                let response = http::get(&url).await.unwrap();
                assert_eq!(response.status, 200);
                assert_eq!(response.header("content-type"), Some("application/json"));
                serde_json::from_str::<serde_json::Value>(&response.body).unwrap()
            }
        };
        let until = |path: &'static str, accept: fn(&serde_json::Value) -> bool| async move {
            for _ in 0..200 {
                let json = get(path).await;
                if accept(&json) {
                    return json;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!(
                "{path} never reached the expected state: {}",
                get(path).await
            );
        };
        assert_eq!(get("/alerts").await, serde_json::json!({"alerts": []}));
        BACKLOG.set(25.0, []);
        let json = until("/alerts", |json| {
            !json["alerts"].as_array().unwrap().is_empty()
        })
        .await;
        let alert = &json["alerts"][0];
        let mut keys: Vec<&str> = alert
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "active_since",
                "annotations",
                "labels",
                "name",
                "severity",
                "state",
                "value"
            ]
        );
        assert_eq!(alert["name"], "EmbeddedBacklogItemsAbove");
        assert_eq!(alert["state"], "firing");
        assert_eq!(alert["severity"], "warning");
        assert_eq!(alert["value"], 25.0);
        assert_eq!(alert["labels"]["metric"], "embedded_backlog_items");
        assert!(
            alert["annotations"]["description"]
                .as_str()
                .unwrap()
                .contains("is 25 (threshold 10)")
        );
        humantime::parse_rfc3339(alert["active_since"].as_str().unwrap()).unwrap();
        BACKLOG.set(0.0, []);
        until("/alerts", |json| {
            json["alerts"].as_array().unwrap().is_empty()
        })
        .await;
        let history = get("/alerts/history").await;
        let moves: Vec<(&str, &str)> = history["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["name"] == "EmbeddedBacklogItemsAbove")
            .map(|t| (t["from"].as_str().unwrap(), t["to"].as_str().unwrap()))
            .collect();
        assert_eq!(moves, [("inactive", "firing"), ("firing", "resolved")]);
        handle.stop().await.unwrap();
    });
}
