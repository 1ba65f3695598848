//! HTTP exposition: `/metrics` over a real socket (content type, series, values,
//! `promtool`), the dashboard, the index redirect, clear 404/405/400 answers, and
//! the router merged into a user's own server.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use monitor_runtime::monitored;
use monitor_tests::http::{self, HttpResponse};
use monitor_tests::server::TestServer;
use monitor_tests::{find, parse_samples, promtool, tools};

#[derive(Debug)]
struct Rejected;

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("rejected")
    }
}

#[monitored]
fn validate(amount: u32) -> Result<u32, Rejected> {
    validate_amount(amount)
}

#[monitored(name = "lookup_price")]
async fn price(item: u32) -> u64 {
    tokio::task::yield_now().await;
    u64::from(item) * 3
}

/// Called by every test but the one that checks exact counts (tests run in parallel).
#[monitored]
fn shared_work(amount: u32) -> Result<u32, Rejected> {
    validate_amount(amount)
}

fn validate_amount(amount: u32) -> Result<u32, Rejected> {
    if amount > 100 {
        Err(Rejected)
    } else {
        Ok(amount)
    }
}

/// Only ever scraped, never called.
#[monitored]
fn never_called() {}

const MODULE: &str = "exposition";

async fn fetch(server: &TestServer, path: &str) -> HttpResponse {
    http::get(&server.url(path))
        .await
        .unwrap_or_else(|error| panic!("GET {path}: {error}"))
}

#[tokio::test]
async fn metrics_are_served_with_the_exposition_content_type_and_exact_counts() {
    let server = TestServer::start();
    for amount in [1, 50, 100, 101, 500] {
        let _ = validate(amount);
    }
    for item in 0..4 {
        assert_eq!(price(item).await, u64::from(item) * 3);
    }

    let response = fetch(&server, "/metrics").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let samples = parse_samples(&response.body);
    let calls = |function: &str, result: &str| {
        find(
            &samples,
            "function_calls_total",
            &[
                ("function", function),
                ("module", MODULE),
                ("result", result),
            ],
        )
    };
    assert_eq!(calls("validate", "ok"), Some(3.0));
    assert_eq!(calls("validate", "error"), Some(2.0));
    assert_eq!(calls("lookup_price", "ok"), Some(4.0));
    assert_eq!(calls("lookup_price", "error"), Some(0.0));
    assert_eq!(calls("never_called", "ok"), Some(0.0));
    let labels = [("function", "validate"), ("module", MODULE)];
    assert_eq!(
        find(&samples, "function_calls_duration_seconds_count", &labels),
        Some(5.0)
    );
    assert_eq!(
        find(&samples, "function_calls_concurrent", &labels),
        Some(0.0)
    );
    assert!(
        response
            .body
            .contains("# TYPE function_calls_total counter")
    );
    assert!(
        response
            .body
            .contains("# TYPE function_calls_duration_seconds histogram")
    );
    assert!(
        response
            .body
            .contains("# TYPE function_calls_concurrent gauge")
    );
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn process_metrics_are_served_on_linux() {
    let server = TestServer::start();
    let samples = parse_samples(&fetch(&server, "/metrics").await.body);
    for name in [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_start_time_seconds",
    ] {
        let value = find(&samples, name, &[]).unwrap_or_else(|| panic!("{name} is missing"));
        assert!(value >= 0.0, "{name} = {value}");
    }
    assert!(find(&samples, "process_resident_memory_bytes", &[]).unwrap() > 0.0);
}

#[tokio::test]
async fn the_served_exposition_passes_promtool() {
    let server = TestServer::start();
    let _ = shared_work(7);
    let _ = shared_work(700);
    if !tools::require("promtool") {
        return;
    }
    let body = fetch(&server, "/metrics").await.body;
    assert_eq!(promtool::check_metrics(&body), Vec::<String>::new());
}

#[tokio::test]
async fn the_dashboard_lists_every_monitored_function() {
    let server = TestServer::start();
    let _ = shared_work(1);
    let _ = shared_work(1000);
    let response = fetch(&server, "/dashboard").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let page = &response.body;
    assert!(page.starts_with("<!DOCTYPE html>"));
    for function in ["validate", "shared_work", "lookup_price", "never_called"] {
        assert!(
            page.contains(&format!("<td>{MODULE}</td><td>{function}</td>")),
            "{function} missing from\n{page}"
        );
    }
    // Relative, so that the links work under a prefix (`nest("/ops", ...)`).
    assert!(page.contains("<a href=\"metrics\">metrics</a>"));
    assert!(page.contains("<td>never_called</td><td>0</td><td>0</td>"));
}

#[tokio::test]
async fn the_index_leads_to_the_dashboard() {
    let server = TestServer::start();
    let response = fetch(&server, "/").await;
    assert!(response.status.is_redirection(), "{}", response.status);
    assert_eq!(response.header("location"), Some("/dashboard"));
}

#[tokio::test]
async fn unknown_paths_get_a_clear_404() {
    let server = TestServer::start();
    for path in ["/nope", "/metrics/extra", "/%ff%fe", "/metrics?x=%zz"] {
        let response = fetch(&server, path).await;
        let expected = if path.starts_with("/metrics?") {
            200
        } else {
            404
        };
        assert_eq!(response.status, expected, "{path}");
        if expected == 404 {
            assert!(response.body.starts_with("404 not found: GET "), "{path}");
            assert!(
                response
                    .body
                    .contains("this server serves GET /dashboard, GET /metrics"),
                "{path}: {}",
                response.body
            );
        }
    }
}

#[tokio::test]
async fn other_methods_get_a_clear_405_with_allow() {
    let server = TestServer::start();
    for path in ["/metrics", "/dashboard"] {
        let response = http::request(hyper::Method::POST, &server.url(path))
            .await
            .unwrap();
        assert_eq!(response.status, 405, "{path}");
        assert!(
            response
                .header("allow")
                .is_some_and(|allow| allow.contains("GET")),
            "{path}: {:?}",
            response.headers
        );
        assert!(response.body.contains("405 method not allowed"), "{path}");
        assert!(response.body.contains("not POST"), "{path}");
    }
    let response = http::request(hyper::Method::DELETE, &server.url("/"))
        .await
        .unwrap();
    assert_eq!(response.status, 404);
}

#[tokio::test]
async fn malformed_requests_are_refused_and_the_server_keeps_serving() {
    let server = TestServer::start();
    for garbage in [
        &b"this is not http\r\n\r\n"[..],
        b"GET /metrics HTTP/9.9\r\n\r\n",
        b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"\x00\xff\xfe\r\n\r\n",
    ] {
        let answer = http::send_raw(server.addr(), garbage).await.unwrap();
        assert!(
            answer.is_empty()
                || answer.starts_with("HTTP/1.1 4")
                || answer.starts_with("HTTP/1.1 5"),
            "{garbage:?} got {answer:?}"
        );
        assert!(
            !answer.starts_with("HTTP/1.1 5"),
            "{garbage:?} got {answer:?}"
        );
    }
    assert_eq!(fetch(&server, "/metrics").await.status, 200);
}

#[tokio::test]
async fn the_router_merges_into_a_users_server_with_its_own_fallback() {
    let app = Router::new()
        .route("/", get(|| async { "my service" }))
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "my own 404") })
        .merge(monitor_runtime::router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .await
    });
    let _ = shared_work(3);
    let url = |path: &str| format!("http://{addr}{path}");

    let metrics = http::get(&url("/metrics")).await.unwrap();
    assert_eq!(metrics.status, 200);
    assert_eq!(
        metrics.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(metrics.body.contains("function=\"shared_work\""));
    assert_eq!(http::get(&url("/")).await.unwrap().body, "my service");
    assert_eq!(http::get(&url("/dashboard")).await.unwrap().status, 200);
    let missing = http::get(&url("/nope")).await.unwrap();
    assert_eq!(
        (missing.status.as_u16(), missing.body.as_str()),
        (404, "my own 404")
    );

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_exporter_serves_merged_routes_and_stops_gracefully() {
    let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
        .await
        .unwrap()
        .merge(Router::new().route("/version", get(|| async { "1.2.3" })));
    let addr = exporter.local_addr();
    assert!(addr.ip().is_loopback());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(exporter.run(async {
        stopped.await.ok();
    }));
    let version = http::get(&format!("http://{addr}/version")).await.unwrap();
    assert_eq!(version.body, "1.2.3");
    assert_eq!(
        http::get(&format!("http://{addr}/metrics"))
            .await
            .unwrap()
            .status,
        200
    );
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    assert!(http::get(&format!("http://{addr}/metrics")).await.is_err());
}

#[tokio::test]
async fn binding_a_taken_address_is_a_clear_error() {
    let taken = monitor_runtime::Exporter::bind("127.0.0.1:0")
        .await
        .unwrap();
    let error = monitor_runtime::Exporter::bind(taken.local_addr())
        .await
        .err()
        .expect("the port is taken");
    assert!(matches!(error, monitor_runtime::ServeError::Bind(_)));
    assert!(
        error
            .to_string()
            .starts_with("monitor: could not bind the exporter: "),
        "{error}"
    );
}

#[test]
fn the_default_address_is_loopback_port_9898() {
    let addr: SocketAddr = "127.0.0.1:9898".parse().unwrap();
    assert!(addr.ip().is_loopback());
    assert_eq!(addr.port(), 9898);
}
