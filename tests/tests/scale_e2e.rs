//! Three replicas of one service on real distributed engines, end to end: three
//! processes of the test app with distinct instance identities, vmagent scraping
//! them and remote-writing to a single-node VictoriaMetrics, vmalert evaluating the
//! generated rules (`monitor_runtime::alerts`) against it and notifying a real
//! Alertmanager, whose webhook is this test.
//!
//! Asserted: VictoriaMetrics holds the three instances, each with its own
//! `target_info`; the central sum of calls equals the calls made across the three;
//! an error burst on one instance fires the service-level error-ratio alert,
//! computed over all three (no `instance` label, the ratio of the sums); every
//! generated query returns data from the central store.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use monitor_runtime::alerts::{AlertSet, Objective, Rule, RuleFile, ServiceAlert, ServiceAlerts};
use monitor_tests::engines::{self, Engine, PATIENCE, Replica, Webhook};
use monitor_tests::tools;
use serde_json::Value;

const SERVICE: &str = "scale-shop";
const INSTANCES: [&str; 3] = ["shop-a", "shop-b", "shop-c"];

/// The rules of the service: an objective on `work` and the default service
/// alerts, the error-ratio page without its `for` so that the test needs no
/// five minutes.
fn rules() -> RuleFile {
    AlertSet::new(SERVICE)
        .objective(Objective::new("work", "scale_app", "work").success(0.99))
        .service_alerts(
            ServiceAlerts::default().for_(ServiceAlert::ErrorRatioCritical, Duration::ZERO),
        )
        .rules()
}

/// Every expression of the generated rules that must return data while the
/// service takes traffic: the recording rules'.
fn generated_queries(rules: &RuleFile) -> Vec<String> {
    rules
        .groups
        .iter()
        .flat_map(|group| &group.rules)
        .filter_map(|rule| match rule {
            Rule::Recording(record) => Some(record.expr.clone()),
            Rule::Alerting(_) => None,
        })
        .collect()
}

/// Asserts that each of `exprs` (every generated dashboard query) returns at least
/// one series from the central store `vm`, retrying while the store catches up.
async fn every_generated_dashboard_query_returns_data_from_the_central_store(
    vm: &Engine,
    exprs: &[String],
) {
    assert!(!exprs.is_empty(), "no query to check");
    for expr in exprs {
        let result = vm.query_until(expr, |result| !result.is_empty()).await;
        assert!(
            result.iter().all(|sample| sample.value.is_finite()),
            "`{expr}` returned {result:?}"
        );
    }
}

fn firing(webhook: &Webhook, alertname: &str) -> Vec<Value> {
    webhook
        .received()
        .iter()
        .flat_map(|body| body["alerts"].as_array().cloned().unwrap_or_default())
        .filter(|alert| alert["labels"]["alertname"] == alertname && alert["status"] == "firing")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_instances_aggregate_centrally_and_alert_over_all_of_them() {
    for tool in [
        "victoria-metrics",
        "vmagent",
        "vmalert",
        "prometheus-alertmanager",
    ] {
        if !tools::require(tool) {
            return;
        }
    }
    let root = tempfile::tempdir().unwrap();
    let webhook = Webhook::start();
    let alertmanager = engines::alertmanager(root.path(), &webhook.url()).await;
    let vm = engines::victoria_metrics(root.path()).await;
    let replicas: Vec<Replica> = INSTANCES
        .iter()
        .map(|instance| Replica::start(env!("CARGO_BIN_EXE_scale_app"), SERVICE, instance, &[]))
        .collect();
    let targets: Vec<_> = replicas.iter().map(Replica::addr).collect();
    let _vmagent = engines::vmagent(root.path(), &targets, &vm).await;
    let rules = rules();
    let _vmalert = engines::vmalert(root.path(), &rules.to_yaml(), &vm, &alertmanager).await;

    // Three instances, told apart by the scrape's `instance` and by their identity.
    let info = vm
        .query_until(r#"target_info{job="scale"}"#, |result| result.len() == 3)
        .await;
    let scraped: BTreeSet<&str> = info.iter().filter_map(|s| s.label("instance")).collect();
    assert_eq!(scraped.len(), 3, "{info:?}");
    let identities: BTreeSet<&str> = info
        .iter()
        .filter_map(|s| s.label("service_instance_id"))
        .collect();
    assert_eq!(identities, BTreeSet::from(INSTANCES));
    assert!(
        info.iter()
            .all(|s| s.label("service_name") == Some(SERVICE))
    );

    // The central sum of calls is the sum of the calls made.
    for (replica, calls) in replicas.iter().zip([50, 30, 20]) {
        replica.work(calls, 0).await;
    }
    vm.query_until(
        r#"sum(function_calls_total{job="scale",function="work"})"#,
        |result| result.first().is_some_and(|sample| sample.value == 100.0),
    )
    .await;
    let per_instance = vm
        .query(r#"sum by (instance) (function_calls_total{job="scale",function="work"})"#)
        .await;
    let mut counts: Vec<f64> = per_instance.iter().map(|sample| sample.value).collect();
    counts.sort_by(f64::total_cmp);
    assert_eq!(counts, [20.0, 30.0, 50.0]);
    assert!(
        firing(&webhook, "FunctionErrorRatioCritical").is_empty(),
        "no error yet, no alert"
    );

    // An error burst on one instance: 40 errors of 140 calls over the service
    // (29 %), 40 of 90 on that instance alone (44 %).
    replicas[0].work(0, 40).await;
    vm.query_until(
        r#"sum(function_calls_total{job="scale",function="work",result="error"})"#,
        |result| result.first().is_some_and(|sample| sample.value == 40.0),
    )
    .await;
    let deadline = Instant::now() + PATIENCE;
    let alert = loop {
        if let Some(alert) = firing(&webhook, "FunctionErrorRatioCritical")
            .into_iter()
            .next()
        {
            break alert;
        }
        assert!(
            Instant::now() < deadline,
            "the alert never reached the webhook; got {:?}\nvmalert:\n{}\nalertmanager:\n{}",
            webhook.received(),
            _vmalert.log(),
            alertmanager.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let labels = &alert["labels"];
    assert_eq!(labels["function"], "work");
    assert_eq!(labels["module"], "scale_app");
    assert_eq!(labels["severity"], "critical");
    assert!(
        labels.get("instance").is_none(),
        "computed over all instances: {labels}"
    );
    let description = alert["annotations"]["description"]
        .as_str()
        .unwrap_or_default();
    let percent: f64 = description
        .split('%')
        .next()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("a percentage in {description:?}"));
    assert!(
        (20.0..40.0).contains(&percent),
        "the ratio of the sums over the three (about 29 %), not one instance's (44 %): {description}"
    );

    // Every query of every dashboard the service generates (fetched from one of
    // its replicas, with its business metrics and objective), over all three.
    for replica in &replicas {
        let health = monitor_tests::http::get(&format!("http://{}/health", replica.addr()))
            .await
            .expect("the replica answers");
        assert!(health.status == 200 || health.status == 503, "{health:?}");
    }
    let response = monitor_tests::http::get(&format!(
        "http://{}/dashboard/grafana.json?service={SERVICE}",
        replicas[0].addr()
    ))
    .await
    .expect("the replica answers");
    assert_eq!(response.status, 200, "{}", response.body);
    let dashboards: Value = serde_json::from_str(&response.body).unwrap();
    let dashboards = dashboards.as_array().expect("a list of dashboards");
    // Rates over five minutes: the traffic of this test stays inside the window.
    let variables = [
        ("job", "scale"),
        ("function", "work|ship"),
        ("__rate_interval", "5m"),
    ];
    let mut queries = generated_queries(&rules);
    let before = queries.len();
    for dashboard in dashboards {
        queries.extend(monitor_runtime::__private::grafana_expressions(
            dashboard, &variables,
        ));
    }
    assert!(
        queries.len() - before >= 40,
        "{} dashboard queries",
        queries.len() - before
    );
    assert!(
        queries.iter().all(|expr| !expr.contains('$')),
        "{queries:?}"
    );
    // Some calls more, so that every kind of series has fresh samples.
    for replica in &replicas {
        replica.work(10, 1).await;
    }
    every_generated_dashboard_query_returns_data_from_the_central_store(&vm, &queries).await;
}
