//! Outgoing calls through hyper-util's legacy client wrapped in the metrics layer,
//! against a local test server: counts by status, and errors by kind for a refused
//! connection and a timeout.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{any, get};
use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use monitor_runtime::client::HttpClientMetricsLayer;
use monitor_tests::{promtool, sample, tools};
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

const DURATION_COUNT: &str = "http_client_request_duration_seconds_count";

fn calls(method: &str, status: &str, error_type: &str) -> f64 {
    sample(
        DURATION_COUNT,
        &[
            ("http_request_method", method),
            ("server_address", "127.0.0.1"),
            ("http_response_status_code", status),
            ("error_type", error_type),
        ],
    )
    .unwrap_or(0.0)
}

async fn local_server() -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let app = Router::new()
        .route(
            "/ok",
            get(|| async { "fine" }).post(|| async { StatusCode::CREATED }),
        )
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route("/fail", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route(
            "/slow",
            any(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (addr, server)
}

fn request(method: &str, url: &str) -> http::Request<Empty<Bytes>> {
    http::Request::builder()
        .method(method)
        .uri(url)
        .body(Empty::new())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_counted_by_status_and_failures_by_kind() {
    let (addr, server) = local_server().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut client = ServiceBuilder::new()
        .layer(HttpClientMetricsLayer::new())
        .timeout(Duration::from_millis(300))
        .service(client);
    let mut send = async |method: &str, path: &str| -> Result<u16, BoxError> {
        let url = format!("http://{addr}{path}");
        let response = client.ready().await?.call(request(method, &url)).await?;
        Ok(response.status().as_u16())
    };

    for _ in 0..3 {
        assert_eq!(send("GET", "/ok").await.unwrap(), 200);
    }
    assert_eq!(send("POST", "/ok").await.unwrap(), 201);
    for _ in 0..2 {
        assert_eq!(send("GET", "/missing").await.unwrap(), 404);
    }
    assert_eq!(send("GET", "/fail").await.unwrap(), 500);
    let timeout = send("GET", "/slow").await.unwrap_err();
    assert!(timeout.is::<tower::timeout::error::Elapsed>(), "{timeout}");

    assert_eq!(calls("GET", "200", ""), 3.0);
    assert_eq!(calls("POST", "201", ""), 1.0);
    // OpenTelemetry: a 4xx or 5xx answer is a client error of that status.
    assert_eq!(calls("GET", "404", "404"), 2.0);
    assert_eq!(calls("GET", "500", "500"), 1.0);
    assert_eq!(calls("GET", "", "timeout"), 1.0);

    // A port nobody listens on: the connection is refused.
    server.abort();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let url = format!("http://{closed}/ok");
    let refused = client
        .ready()
        .await
        .unwrap()
        .call(request("GET", &url))
        .await
        .unwrap_err();
    assert_eq!(
        monitor_runtime::client::ClientError::error_type(&refused),
        "connection_refused",
        "{refused:?}"
    );
    assert_eq!(calls("GET", "", "connection_refused"), 1.0);

    if tools::require("promtool") {
        let exposition = monitor_runtime::render_metrics().unwrap();
        assert_eq!(promtool::check_metrics(&exposition), Vec::<String>::new());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_dropped_before_its_answer_is_cancelled() {
    let (addr, server) = local_server().await;
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let mut client = ServiceBuilder::new()
        .layer(HttpClientMetricsLayer::new())
        .service(client);
    let call = client
        .ready()
        .await
        .unwrap()
        .call(request("DELETE", &format!("http://{addr}/slow")));
    // The caller gives up on its own: the layer sees the future dropped.
    let gave_up = tokio::time::timeout(Duration::from_millis(100), call).await;
    assert!(gave_up.is_err());
    assert_eq!(calls("DELETE", "", "cancelled"), 1.0);
    server.abort();
}
