//! One trace id in spans, JSON logs and exemplars: a request with a `traceparent`
//! through the HTTP layer, a `#[monitored]` call in its handler. Alone in its test
//! process: `tracing` caches whether a span is enabled per callsite, and a test of
//! the same callsites without a subscriber on another thread would race it.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use monitor_runtime::exemplars;
use monitor_runtime::http::HttpMetricsLayer;
use monitor_runtime::{Format, monitored};
use monitor_tests::log_buffer::LogBuffer;
use tower::ServiceExt;
use tracing_subscriber::layer::SubscriberExt;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

#[monitored]
fn reserve_stock_for_trace_test() {
    tracing::info!(items = 2, "reserving stock");
}

#[test]
fn spans_logs_and_exemplars_share_the_request_trace() {
    exemplars::set_interval(std::time::Duration::ZERO);
    let buffer = LogBuffer::default();
    let subscriber = tracing_subscriber::registry()
        .with(exemplars::ContextLayer::new())
        .with(monitor_runtime::logs::JsonLayer::new(buffer.clone()));
    let app = Router::new()
        .route(
            "/reserve",
            get(|| async {
                reserve_stock_for_trace_test();
                tracing::info!("reserved");
                "ok"
            }),
        )
        .layer(HttpMetricsLayer::new());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let parent = format!("00-{TRACE}-{PARENT}-01");
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let request = Request::get("/reserve")
                .header("traceparent", &parent)
                .body(Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let _ = http_body_util::BodyExt::collect(response.into_body()).await;
        });
    });
    let lines = buffer.lines();
    let inner = lines
        .iter()
        .find(|line| line["message"] == "reserving stock")
        .expect("the monitored function's log line");
    let outer = lines
        .iter()
        .find(|line| line["message"] == "reserved")
        .expect("the handler's log line");
    assert_eq!(inner["trace_id"], TRACE);
    assert_eq!(outer["trace_id"], TRACE);
    assert_eq!(outer["function"], "HTTP request");
    assert_eq!(outer["span"]["http.route"], "/reserve");
    assert_eq!(inner["function"], "reserve_stock_for_trace_test");
    assert_ne!(
        inner["span_id"], outer["span_id"],
        "the monitored span is a child"
    );
    let spans = inner["spans"].as_array().unwrap();
    assert_eq!(
        spans[0]["name"], "HTTP request",
        "the server span is the root"
    );
    assert_eq!(spans[1]["name"], "reserve_stock_for_trace_test");
    assert!(
        outer["span"].get("trace_id").is_none(),
        "ids are at the top, not among fields"
    );

    let exposition = String::from_utf8(monitor_runtime::render(Format::OpenMetrics)).unwrap();
    let traced = |name: &str, label: &str| {
        exposition.lines().any(|line| {
            line.starts_with(name)
                && line.contains(label)
                && line.contains(&format!("trace_id=\"{TRACE}\""))
        })
    };
    assert!(
        traced(
            "http_server_request_duration_seconds_bucket",
            "http_route=\"/reserve\""
        ),
        "the server's exemplar carries the request's trace:\n{exposition}"
    );
    assert!(
        traced(
            "function_calls_duration_seconds_bucket",
            "reserve_stock_for_trace_test"
        ),
        "the monitored call's exemplar carries it too"
    );
}
