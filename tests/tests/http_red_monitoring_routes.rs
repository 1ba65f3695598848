//! The layer leaves the monitoring routes out by default: a request to each route of
//! `monitor_runtime::router()` adds nothing to the HTTP metrics, not even as an
//! unmatched path (which would mean the list below names a route the router lacks).

use axum::Router;
use monitor_runtime::http::HttpMetricsLayer;
use monitor_tests::http::send_in_process;
use monitor_tests::parse_samples;

/// A request to every route of the monitoring router.
const REQUESTS: &[(&str, &str)] = &[
    ("GET", "/metrics"),
    ("GET", "/dashboard"),
    ("GET", "/dashboard/app.js"),
    ("GET", "/dashboard/data.json"),
    ("GET", "/dashboard/grafana.json"),
    ("GET", "/alerts"),
    ("GET", "/alerts/history"),
    ("GET", "/alerts/rules.yml"),
    ("GET", "/health"),
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/health/startup"),
    ("GET", "/health/no-such-check"),
    ("POST", "/health/no-such-check/run"),
    ("GET", "/livez"),
    ("GET", "/readyz"),
];

#[tokio::test]
async fn the_monitoring_routes_are_left_out_by_default() {
    let app: Router = monitor_runtime::router()
        .layer(HttpMetricsLayer::new().const_label("test", "monitoring_routes"));
    for &(method, path) in REQUESTS {
        let status = send_in_process(&app, method, path).await;
        assert!(
            status != 405,
            "{method} {path}: no such method on the route"
        );
    }
    let counted: Vec<_> = parse_samples(&monitor_runtime::render_metrics().unwrap())
        .into_iter()
        .filter(|s| {
            s.name == "http_server_request_duration_seconds_count"
                && s.labels
                    .iter()
                    .any(|(k, v)| k == "test" && v == "monitoring_routes")
                && s.value > 0.0
        })
        .collect();
    assert!(counted.is_empty(), "counted: {counted:?}");
    assert_eq!(
        monitor_runtime::__private::monitoring_routes().len(),
        REQUESTS.len(),
        "one request per excluded route"
    );
}
