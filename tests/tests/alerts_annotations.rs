//! Objectives and business alerts declared in the code reach the rule file through
//! the runtime's link-time slices: `#[monitored(objective(...))]` gives burn-rate
//! alerts with the function's labels, its latency threshold becomes a bucket bound
//! of the function's histogram, and `alert(...)` next to a business metric gives its
//! alert.

use monitor_runtime::alerts::{self, AlertSet};
use monitor_runtime::{business_metric, business_metrics, monitored};
use monitor_tests::{sample, tools};

#[monitored(objective(
    success = 0.999,
    latency = "300ms",
    latency_share = 0.99,
    period = "28d"
))]
fn checkout() -> Result<(), String> {
    Ok(())
}

#[monitored(
    name = "pay",
    buckets = [0.1, 1.0],
    objective(name = "payments", latency = "250ms", latency_share = 0.95)
)]
fn pay() {}

#[business_metric(
    counter = "login_failures_total",
    help = "Failed logins",
    alert(
        rate_above = 10,
        over = "1m",
        severity = "critical",
        name = "LoginFailureSpike"
    )
)]
fn fail_login() {}

business_metrics! {
    gauge QUEUE_DEPTH = "queue_depth", help = "Jobs waiting", alert(above = 100, for = "2m");
}

fn annotated() -> monitor_runtime::alerts::RuleFile {
    AlertSet::annotated("annotated").rules()
}

#[test]
fn objectives_in_code_give_burn_rate_alerts_with_the_function_labels() {
    let rules = annotated();
    let page = rules
        .alerts()
        .find(|alert| alert.alert == "CheckoutErrorBudgetBurnPage")
        .expect("the page alert of the checkout objective");
    assert_eq!(page.labels["severity"], "critical");
    assert_eq!(page.labels["objective"], "checkout");
    assert_eq!(page.labels["function"], "checkout");
    assert_eq!(page.labels["module"], "alerts_annotations");
    // 14.4 × a budget of 0.1 %.
    assert!(page.expr.contains("> 0.0144"), "{}", page.expr);
    let latency = rules
        .alerts()
        .find(|alert| alert.alert == "CheckoutLatencyBudgetBurnTicket")
        .expect("the latency ticket alert");
    assert_eq!(latency.labels["severity"], "warning");
    assert!(latency.annotations["description"].contains("within 300ms over 28d"));
    let payments = rules
        .alerts()
        .find(|alert| alert.alert == "PaymentsLatencyBudgetBurnPage")
        .expect("the named objective");
    assert_eq!(payments.labels["function"], "pay");
    assert_eq!(payments.labels["objective"], "payments");
    assert!(
        !rules
            .alerts()
            .any(|alert| alert.alert == "PaymentsErrorBudgetBurnPage"),
        "no success target, no error-budget alert"
    );
}

#[test]
fn the_latency_threshold_is_a_bucket_bound_of_the_function() {
    checkout().unwrap();
    pay();
    let bucket = |function: &str, le: &str| {
        sample(
            "function_calls_duration_seconds_bucket",
            &[("function", function), ("le", le)],
        )
    };
    // Added to the default buckets, which keep theirs.
    assert!(bucket("checkout", "0.3").is_some());
    assert!(bucket("checkout", "0.25").is_some());
    assert!(bucket("checkout", "10").is_some());
    // Added to the buckets given.
    assert!(bucket("pay", "0.25").is_some());
    assert!(bucket("pay", "0.1").is_some());
    assert!(bucket("pay", "0.5").is_none());
}

#[test]
fn business_alerts_in_code_reach_the_rule_file() {
    fail_login();
    QUEUE_DEPTH.set(1.0, []);
    let rules = annotated();
    let spike = rules
        .alerts()
        .find(|alert| alert.alert == "LoginFailureSpike")
        .expect("the declared alert");
    assert_eq!(spike.expr, "sum(rate(login_failures_total[1m])) > 10");
    assert_eq!(spike.labels["severity"], "critical");
    assert_eq!(spike.labels["metric"], "login_failures_total");
    let queue = rules
        .alerts()
        .find(|alert| alert.alert == "QueueDepthAbove")
        .expect("the alert of the declared gauge");
    assert_eq!(queue.for_.as_deref(), Some("2m"));
    assert_eq!(queue.labels["severity"], "warning");
}

#[test]
fn the_default_definitions_are_the_annotated_ones_and_promtool_accepts_them() {
    let rules = alerts::current().rules();
    assert!(
        rules
            .alerts()
            .any(|alert| alert.alert == "CheckoutErrorBudgetBurnPage")
    );
    assert!(
        rules
            .alerts()
            .any(|alert| alert.alert == "LoginFailureSpike")
    );
    if !tools::require("promtool") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    std::fs::write(&path, rules.to_yaml()).unwrap();
    let (ok, text) = tools::run("promtool", &["check", "rules", path.to_str().unwrap()]);
    assert!(ok, "promtool check rules failed:\n{text}");
    assert!(!text.contains("WARNING"), "{text}");
}

/// An objective of an HTTP route reads the RED layer's real series: half the
/// requests of the route answering 500 fire its page in the embedded evaluator,
/// whose definitions are the rule file's.
#[test]
fn an_http_route_objective_reads_the_red_layer_series() {
    use std::time::{Duration, SystemTime};

    use axum::Router;
    use axum::extract::Path;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use monitor_runtime::__private::Evaluator;
    use monitor_runtime::alerts::{BurnWindow, Objective, ServiceAlerts, Severity};
    use monitor_runtime::http::HttpMetricsLayer;
    use tower::ServiceExt;

    let set = AlertSet::new("routes")
        .service_alerts(ServiceAlerts::none())
        .objective(
            Objective::http_route("order_pages", "/orders/{id}")
                .method("GET")
                .success(0.99),
        )
        .burn_windows(vec![BurnWindow {
            long: Duration::from_secs(60),
            short: Duration::from_secs(10),
            factor: 14.4,
            severity: Severity::Critical,
        }]);
    let page = set
        .rules()
        .alerts()
        .find(|alert| alert.alert == "OrderPagesErrorBudgetBurnPage")
        .cloned()
        .expect("the route's page");
    assert_eq!(page.labels["http_route"], "/orders/{id}");
    assert_eq!(page.labels["http_request_method"], "GET");
    let app = Router::new()
        .route(
            "/orders/{id}",
            get(|Path(id): Path<u32>| async move {
                if id.is_multiple_of(2) {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }),
        )
        .layer(HttpMetricsLayer::new());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let requests = |range: std::ops::Range<u32>| {
        for id in range {
            let request = Request::get(format!("/orders/{id}"))
                .body(axum::body::Body::empty())
                .unwrap();
            runtime.block_on(app.clone().oneshot(request)).unwrap();
        }
    };
    let mut evaluator = Evaluator::new(&set, Duration::from_secs(3600));
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
    let snapshot = |evaluator: &mut Evaluator, seconds: u64| {
        evaluator.record(
            start + Duration::from_secs(seconds),
            &monitor_runtime::snapshot(),
        );
        evaluator.evaluate()
    };
    // Healthy: only odd ids, every answer a 200.
    snapshot(&mut evaluator, 0);
    for step in 1..=3 {
        for id in 0..10 {
            let request = Request::get(format!("/orders/{}", 2 * id + 1))
                .body(axum::body::Body::empty())
                .unwrap();
            runtime.block_on(app.clone().oneshot(request)).unwrap();
        }
        assert!(snapshot(&mut evaluator, step * 5).transitions.is_empty());
    }
    // Half the requests fail.
    requests(0..40);
    let evaluation = snapshot(&mut evaluator, 20);
    assert_eq!(evaluation.transitions.len(), 1, "{evaluation:?}");
    assert_eq!(
        evaluation.transitions[0].name,
        "OrderPagesErrorBudgetBurnPage"
    );
    assert_eq!(evaluation.transitions[0].to, "firing");
    assert_eq!(
        evaluation.transitions[0].labels["http_route"],
        "/orders/{id}"
    );
}

#[monitored]
fn plain() {}

#[test]
fn a_latency_threshold_joins_the_default_bounds_of_monitored_functions() {
    checkout().unwrap();
    plain();
    let snapshot = monitor_runtime::snapshot();
    let bounds = |function: &str| -> Vec<f64> {
        let family = snapshot.family("function_calls_duration_seconds").unwrap();
        let series = family
            .series
            .iter()
            .find(|series| series.labels.get("function") == Some(function))
            .unwrap();
        let monitor_runtime::model::Value::Histogram(histogram) = &series.value else {
            panic!("a histogram");
        };
        histogram.bounds.to_vec()
    };
    // The macro's copy of the default bounds is the runtime's: the objective's
    // threshold, 0.3 s, is one more bound among them.
    let mut expected = bounds("plain");
    expected.push(0.3);
    expected.sort_by(f64::total_cmp);
    assert_eq!(bounds("checkout"), expected);
}
