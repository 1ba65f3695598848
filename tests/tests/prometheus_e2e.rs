//! End to end with a real Prometheus server: it scrapes a test app every second,
//! and its query API must report exactly the calls the app made.

use monitor_runtime::monitored;
use monitor_tests::prometheus_server::{PrometheusServer, QuerySample};
use monitor_tests::server::TestServer;
use monitor_tests::tools;

#[derive(Debug)]
struct Declined;

#[monitored]
fn checkout(amount: u32) -> Result<u32, Declined> {
    if amount.is_multiple_of(7) {
        Err(Declined)
    } else {
        Ok(amount)
    }
}

#[monitored]
async fn ship(parcel: u32) -> u32 {
    tokio::task::yield_now().await;
    parcel
}

/// Never called: Prometheus must still see its series, at zero.
#[monitored]
fn refund() {}

const MODULE: &str = "prometheus_e2e";

/// The value of the one series in `result` with `result="{outcome}"`.
fn by_result(result: &[QuerySample], outcome: &str) -> Option<f64> {
    result
        .iter()
        .find(|sample| sample.label("result") == Some(outcome))
        .map(|sample| sample.value)
}

fn calls_expr(function: &str) -> String {
    format!("function_calls_total{{job=\"test\",module=\"{MODULE}\",function=\"{function}\"}}")
}

async fn scraped_calls(prometheus: &PrometheusServer, function: &str, ok: f64, error: f64) {
    // Wait for a scrape that saw every call, then check it saw no more than that.
    let result = prometheus
        .query_until(&calls_expr(function), |result| {
            by_result(result, "ok").is_some_and(|value| value >= ok)
                && by_result(result, "error").is_some_and(|value| value >= error)
        })
        .await;
    assert_eq!(result.len(), 2, "{function}: {result:?}");
    assert_eq!(by_result(&result, "ok"), Some(ok), "{function}: {result:?}");
    assert_eq!(
        by_result(&result, "error"),
        Some(error),
        "{function}: {result:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_scrapes_exactly_the_calls_made() {
    if !tools::require("prometheus") {
        return;
    }
    let app = TestServer::start();
    let prometheus = PrometheusServer::start(&[app.addr()]).await;

    // The first scrape already has every series, at zero.
    let up = prometheus
        .query_until("up{job=\"test\"}", |result| !result.is_empty())
        .await;
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].value, 1.0, "{up:?}\nlog:\n{}", prometheus.log());
    assert_eq!(
        up[0].label("instance"),
        Some(app.addr().to_string().as_str())
    );
    scraped_calls(&prometheus, "refund", 0.0, 0.0).await;
    scraped_calls(&prometheus, "checkout", 0.0, 0.0).await;

    // 1..=100: 14 multiples of 7 fail.
    for amount in 1..=100 {
        let _ = checkout(amount);
    }
    for parcel in 0..25 {
        ship(parcel).await;
    }
    scraped_calls(&prometheus, "checkout", 86.0, 14.0).await;
    scraped_calls(&prometheus, "ship", 25.0, 0.0).await;

    // More calls: the next scrapes follow.
    for amount in 101..=200 {
        let _ = checkout(amount);
    }
    scraped_calls(&prometheus, "checkout", 172.0, 28.0).await;

    let durations = prometheus
        .query(&format!(
            "function_calls_duration_seconds_count{{job=\"test\",module=\"{MODULE}\",function=\"checkout\"}}"
        ))
        .await;
    assert_eq!(durations.len(), 1, "{durations:?}");
    assert_eq!(durations[0].value, 200.0);
    let in_flight = prometheus
        .query(&format!(
            "function_calls_concurrent{{job=\"test\",module=\"{MODULE}\"}}"
        ))
        .await;
    assert_eq!(in_flight.len(), 3, "{in_flight:?}");
    assert!(
        in_flight.iter().all(|sample| sample.value == 0.0),
        "{in_flight:?}"
    );
    let total = prometheus
        .query(&format!(
            "sum(function_calls_total{{job=\"test\",module=\"{MODULE}\"}})"
        ))
        .await;
    assert_eq!(total.len(), 1);
    assert_eq!(total[0].value, 225.0);
    scraped_calls(&prometheus, "refund", 0.0, 0.0).await;
    drop(prometheus);
    drop(app);
}

/// `sum by (http_route)` of `expr`, as `(route, value)` pairs sorted by route.
fn by_route(result: &[QuerySample]) -> Vec<(String, f64)> {
    let mut pairs: Vec<_> = result
        .iter()
        .map(|s| (s.label("http_route").unwrap_or("").to_owned(), s.value))
        .collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs
}

#[tokio::test(flavor = "multi_thread")]
async fn prometheus_reads_requests_and_latency_by_route() {
    use axum::routing::get;
    if !tools::require("prometheus") {
        return;
    }
    let routes = axum::Router::new()
        .route("/orders/{id}", get(|| async { "order" }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                "slow"
            }),
        );
    let app = TestServer::start_configured(move |exporter| {
        exporter
            .merge(routes)
            .layer(monitor_runtime::http::HttpMetricsLayer::new())
    });
    let prometheus = PrometheusServer::start(&[app.addr()]).await;
    for id in 0..20 {
        let response = monitor_tests::http::get(&app.url(&format!("/orders/{id}")))
            .await
            .unwrap();
        assert_eq!(response.status, 200);
    }
    for _ in 0..5 {
        assert_eq!(
            monitor_tests::http::get(&app.url("/slow"))
                .await
                .unwrap()
                .status,
            200
        );
    }
    for path in ["/a", "/b/c", "/.env"] {
        assert_eq!(
            monitor_tests::http::get(&app.url(path))
                .await
                .unwrap()
                .status,
            404
        );
    }
    let expected = vec![
        ("/orders/{id}".to_owned(), 20.0),
        ("/slow".to_owned(), 5.0),
        ("_UNMATCHED".to_owned(), 3.0),
    ];
    let counts = prometheus
        .query_until(
            "sum by (http_route) (http_server_request_duration_seconds_count{job=\"test\"})",
            |result| by_route(result) == expected,
        )
        .await;
    assert_eq!(by_route(&counts), expected);
    let medians = prometheus
        .query(
            "histogram_quantile(0.5, sum by (http_route, le) \
             (http_server_request_duration_seconds_bucket{job=\"test\"}))",
        )
        .await;
    let medians = by_route(&medians);
    assert_eq!(medians.len(), 3, "{medians:?}");
    let median = |route: &str| medians.iter().find(|(r, _)| r == route).unwrap().1;
    assert!(median("/slow") >= 0.025, "{medians:?}");
    assert!(median("/orders/{id}") < median("/slow"), "{medians:?}");
}
