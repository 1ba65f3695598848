//! The HTTP metrics layer through real HTTP: every request counted by route
//! template, method and status (extractor rejections, `405`, panics, handler
//! `500`s, unmatched paths, unknown methods), bodies measured as streamed, a client
//! that leaves mid-body, and a flood of random paths that adds no series; the
//! counts and the client leaving mid-body also with the layer around the router,
//! served by `axum::serve` as the layer's docs show.
//!
//! Each test builds its layer with its own `test` constant label, so the tests of
//! this binary, which share the global registry, read only their own series.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Path;
use axum::http::{Method, Request, StatusCode};
use axum::routing::get;
use monitor_runtime::http::HttpMetricsLayer;
use monitor_tests::http::request;
use monitor_tests::{Sample, parse_samples};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

/// The routes of [`routes`], for the layer around the router.
const ROUTES: [(&str, &str); 6] = [
    ("GET", "/orders/{id}"),
    ("POST", "/orders"),
    ("GET", "/fail"),
    ("GET", "/panic"),
    ("GET", "/stream"),
    ("GET", "/orders/{id}/x"),
];

fn app(test: &str) -> Router {
    routes().layer(HttpMetricsLayer::new().const_label("test", test))
}

fn routes() -> Router {
    Router::new()
        .route(
            "/orders/{id}",
            get(|Path(id): Path<u32>| async move { format!("order {id}") }),
        )
        .route(
            "/orders",
            axum::routing::post(|body: String| async move { body }),
        )
        .route("/fail", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route(
            "/panic",
            get(|| async {
                if true {
                    panic!("handler panics on purpose");
                }
                "unreachable"
            }),
        )
        .route("/stream", get(|| async { Body::new(Endless::default()) }))
        .fallback(|| async { StatusCode::NOT_FOUND })
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The routes served with the layer around the router, given the routes (one of
/// them, `/orders/{id}/x`, a template the router does not have: its requests are
/// named by it all the same).
async fn serve_around(test: &str) -> SocketAddr {
    let service = tower::ServiceBuilder::new()
        .map_response(|response: axum::http::Response<_>| response.map(Body::new))
        .layer(
            HttpMetricsLayer::new()
                .const_label("test", test)
                .routes(ROUTES),
        )
        .service(routes());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let make = axum::ServiceExt::<Request<Body>>::into_make_service(service);
    tokio::spawn(async move { axum::serve(listener, make).await.unwrap() });
    addr
}

fn samples(test: &str) -> Vec<Sample> {
    parse_samples(&monitor_runtime::render_metrics().unwrap())
        .into_iter()
        .filter(|s| s.labels.iter().any(|(k, v)| k == "test" && v == test))
        .collect()
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<_> = samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
        .collect();
    assert!(
        found.len() <= 1,
        "{name}{labels:?} matches several series: {found:?}"
    );
    found.first().map_or(0.0, |s| s.value)
}

fn requests(samples: &[Sample], method: &str, route: &str, status: &str) -> f64 {
    value(
        samples,
        "http_server_request_duration_seconds_count",
        &[
            ("http_request_method", method),
            ("http_route", route),
            ("http_response_status_code", status),
        ],
    )
}

/// A body that sends a chunk every few milliseconds, forever.
#[derive(Default)]
struct Endless {
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl HttpBody for Endless {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(5))));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(
            b"0123456789",
        )))))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_is_counted_by_route_method_and_status() {
    let addr = serve(app("counts")).await;
    let s = send_every_case(addr, "counts").await;
    assert_eq!(requests(&s, "GET", "_UNMATCHED", "404"), 2.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn around_the_router_every_request_is_counted_by_route_method_and_status() {
    let addr = serve_around("around").await;
    let s = send_every_case(addr, "around").await;
    // `/orders/7/x` matches a given template the router does not have.
    assert_eq!(requests(&s, "GET", "_UNMATCHED", "404"), 1.0);
    assert_eq!(requests(&s, "GET", "/orders/{id}/x", "404"), 1.0);
}

/// Sends every case of point 3 to `addr` and checks their counts by route, method
/// and status, but for the two `404`s (which the callers check): the samples of
/// `test`.
async fn send_every_case(addr: SocketAddr, test: &str) -> Vec<Sample> {
    let url = |path: &str| format!("http://{addr}{path}");
    for _ in 0..3 {
        assert_eq!(
            request(Method::GET, &url("/orders/7"))
                .await
                .unwrap()
                .status,
            200
        );
    }
    assert_eq!(
        request(Method::GET, &url("/orders/abc"))
            .await
            .unwrap()
            .status,
        400
    );
    assert_eq!(
        request(Method::DELETE, &url("/orders/7"))
            .await
            .unwrap()
            .status,
        405
    );
    assert_eq!(
        request(Method::GET, &url("/fail")).await.unwrap().status,
        500
    );
    for _ in 0..2 {
        assert_eq!(
            request(Method::GET, &url("/panic")).await.unwrap().status,
            500
        );
    }
    assert_eq!(
        request(Method::GET, &url("/no/such/path"))
            .await
            .unwrap()
            .status,
        404
    );
    assert_eq!(
        request(Method::GET, &url("/orders/7/x"))
            .await
            .unwrap()
            .status,
        404
    );
    let brew = Method::from_bytes(b"BREW").unwrap();
    assert_eq!(request(brew, &url("/orders/7")).await.unwrap().status, 405);

    let s = samples(test);
    assert_eq!(requests(&s, "GET", "/orders/{id}", "200"), 3.0);
    assert_eq!(requests(&s, "GET", "/orders/{id}", "400"), 1.0);
    assert_eq!(requests(&s, "DELETE", "/orders/{id}", "405"), 1.0);
    assert_eq!(requests(&s, "_OTHER", "/orders/{id}", "405"), 1.0);
    assert_eq!(requests(&s, "GET", "/fail", "500"), 1.0);
    assert_eq!(requests(&s, "GET", "/panic", "500"), 2.0);
    let total: f64 = s
        .iter()
        .filter(|s| s.name == "http_server_request_duration_seconds_count")
        .map(|s| s.value)
        .sum();
    assert_eq!(total, 11.0, "{s:?}");
    // "order 7" three times.
    assert_eq!(
        value(
            &s,
            "http_server_response_body_size_bytes_sum",
            &[
                ("http_route", "/orders/{id}"),
                ("http_response_status_code", "200")
            ],
        ),
        21.0
    );
    for method in ["GET", "DELETE", "_OTHER"] {
        assert_eq!(
            value(
                &s,
                "http_server_active_requests",
                &[("http_request_method", method)]
            ),
            0.0
        );
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_are_measured_as_read() {
    let app = app("bodies");
    let request = Request::post("/orders")
        .body(Body::from("eleven char"))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(&body[..], b"eleven char");
    let s = samples("bodies");
    let route = [("http_request_method", "POST"), ("http_route", "/orders")];
    assert_eq!(
        value(&s, "http_server_request_body_size_bytes_sum", &route),
        11.0
    );
    assert_eq!(
        value(&s, "http_server_request_body_size_bytes_count", &route),
        1.0
    );
    assert_eq!(
        value(&s, "http_server_response_body_size_bytes_sum", &route),
        11.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_leaving_mid_body_is_recorded_and_leaves_no_active_request() {
    let addr = serve(app("abort")).await;
    leave_mid_body(addr, "abort").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn around_the_router_a_client_leaving_mid_body_is_recorded() {
    let addr = serve_around("around-abort").await;
    leave_mid_body(addr, "around-abort").await;
}

/// Reads the start of an endless body from `addr`, goes away, and checks that the
/// request of `test` was recorded and is no longer active.
async fn leave_mid_body(addr: SocketAddr, test: &str) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 256];
    while !String::from_utf8_lossy(&received).contains("0123456789") {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "the server closed the connection");
        received.extend_from_slice(&buffer[..read]);
    }
    let active = |s: &[Sample]| {
        value(
            s,
            "http_server_active_requests",
            &[("http_request_method", "GET")],
        )
    };
    assert_eq!(active(&samples(test)), 1.0);
    drop(stream);
    // The server notices the closed connection at its next write; wait for it.
    let mut s = samples(test);
    for _ in 0..2000 {
        if active(&s) == 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        s = samples(test);
    }
    assert_eq!(active(&s), 0.0);
    assert_eq!(requests(&s, "GET", "/stream", "200"), 1.0);
    assert!(
        value(
            &s,
            "http_server_response_body_size_bytes_sum",
            &[("http_route", "/stream")],
        ) >= 10.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_paths_add_no_series() {
    let app = app("random");
    let series = || samples("random").len();
    let send = |path: String| {
        let app = app.clone();
        async move {
            let request = Request::get(path).body(Body::empty()).unwrap();
            app.oneshot(request).await.unwrap().status()
        }
    };
    assert_eq!(send("/warm-up".to_owned()).await, StatusCode::NOT_FOUND);
    let before = series();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..100_000 {
        // xorshift: distinct pseudo-random paths, reproducible.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        assert_eq!(
            send(format!("/{state:x}/{}", state % 977)).await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(series(), before);
    assert_eq!(
        requests(&samples("random"), "GET", "_UNMATCHED", "404"),
        100_001.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitoring_routes_work_nested_in_a_router_with_state() {
    #[derive(Clone)]
    struct AppState;
    let app: Router = Router::new()
        .route("/", get(|axum::extract::State(AppState)| async { "app" }))
        .nest("/ops", monitor_runtime::router())
        .with_state(AppState);
    let get = |path: &'static str| {
        let app = app.clone();
        async move {
            let response = app
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, dashboard) = get("/ops/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    // Relative links resolve under /ops/ from /ops/dashboard.
    assert!(dashboard.contains(r#"href="metrics""#), "{dashboard}");
    assert!(!dashboard.contains(r#"href="/metrics""#), "{dashboard}");
    assert_eq!(get("/ops/metrics").await.0, StatusCode::OK);
    assert_eq!(get("/").await.0, StatusCode::OK);
}
