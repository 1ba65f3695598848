//! Every query of every generated Grafana dashboard, run by a real Prometheus that
//! scrapes the test app: each must parse and return at least one series. The
//! dashboards are the ones the app serves at `/dashboard/grafana.json`, with its own
//! business metrics and objectives.

mod dashboard_common;

use std::time::{Duration, Instant};

use monitor_runtime::alerts::{AlertSet, Objective};
use monitor_tests::prometheus_server::PrometheusServer;
use monitor_tests::tools;
use serde_json::Value;

/// Bounds the wait for enough scrapes; asserts nothing about speed.
const PATIENCE: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_panel_query_returns_data() {
    if !tools::require("prometheus") {
        return;
    }
    let module = "grafana_prometheus::dashboard_common";
    monitor_runtime::alerts::configure(
        AlertSet::new("shop").objective(
            Objective::new("checkout", module, "checkout")
                .success(0.99)
                .latency(Duration::from_millis(250), 0.99),
        ),
    );
    let server = dashboard_common::start();
    dashboard_common::traffic(&server, 20).await;
    // The health checks run once, so their status series exist.
    monitor_tests::http::get(&server.url("/health"))
        .await
        .unwrap();

    let response = monitor_tests::http::get(&server.url("/dashboard/grafana.json?service=shop"))
        .await
        .unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
    let dashboards: Value = serde_json::from_str(&response.body).unwrap();
    let dashboards = dashboards.as_array().expect("a list of dashboards");
    assert_eq!(dashboards.len(), 7);
    let objectives = dashboards
        .iter()
        .find(|dashboard| dashboard["uid"] == "shop-objectives")
        .unwrap();
    assert_eq!(
        objectives["panels"].as_array().unwrap().len(),
        3,
        "a success, a burn rate and a latency panel for the one objective"
    );
    let business = dashboards
        .iter()
        .find(|dashboard| dashboard["uid"] == "shop-business")
        .unwrap()
        .to_string();
    for metric in [
        "dash_orders_total",
        "dash_carts_open",
        "dash_basket_items_bucket",
    ] {
        assert!(
            business.contains(metric),
            "the business dashboard lacks {metric}"
        );
    }
    let one = monitor_tests::http::get(&server.url("/dashboard/grafana.json?dashboard=system"))
        .await
        .unwrap();
    let system: Value = serde_json::from_str(&one.body).unwrap();
    // Without `?service=`, the dashboards are named after the process' identity.
    let service = monitor_runtime::identity::current().service().to_owned();
    assert!(
        system["uid"].as_str().unwrap().ends_with("-system"),
        "{}",
        system["uid"]
    );
    assert!(
        system["title"].as_str().unwrap().starts_with(&service),
        "{} for {service}",
        system["title"]
    );

    let prometheus = PrometheusServer::start(&[server.addr()]).await;
    // `$__rate_interval` is at least four scrape intervals: 4 s here.
    let variables = [
        ("job", "test"),
        ("function", "checkout|ship"),
        ("__rate_interval", "4s"),
    ];
    let queries: Vec<(String, String)> = dashboards
        .iter()
        .flat_map(|dashboard| {
            let uid = dashboard["uid"].as_str().unwrap().to_owned();
            monitor_runtime::__private::grafana_expressions(dashboard, &variables)
                .into_iter()
                .map(move |expr| (uid.clone(), expr))
        })
        .collect();
    assert!(queries.len() >= 40, "{} queries", queries.len());

    // Traffic until every query has an answer, or the patience runs out.
    let deadline = Instant::now() + PATIENCE;
    let mut missing: Vec<(String, String)> = queries.clone();
    while !missing.is_empty() {
        dashboard_common::traffic(&server, 5).await;
        let mut still = Vec::new();
        for (uid, expr) in missing {
            assert!(!expr.contains('$'), "{uid}: a variable left in {expr}");
            // `query` asserts that Prometheus parsed and ran it.
            if prometheus.query(&expr).await.is_empty() {
                still.push((uid, expr));
            }
        }
        missing = still;
        if Instant::now() > deadline {
            panic!(
                "queries that never returned a series:\n{}",
                missing
                    .iter()
                    .map(|(uid, expr)| format!("{uid}: {expr}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // And the figures mean something: calls were counted per second.
    let rate = prometheus
        .query("sum(rate(function_calls_total{job=\"test\"}[4s]))")
        .await;
    assert!(rate[0].value > 0.0, "{rate:?}");
}
