//! W3C Trace Context through the HTTP layers, in process: the server layer reads
//! `traceparent` and `tracestate` as the specification says (an invalid header
//! starts a new trace, the request is served, the reason counted), runs the handler
//! in its trace under a server span, and the client layer sends the trace on from a
//! client span of its own; exemplars of both layers carry the trace id (the JSON
//! logs too: `trace_logs.rs`, alone in its process with its subscriber).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use monitor_runtime::Format;
use monitor_runtime::client::HttpClientMetricsLayer;
use monitor_runtime::exemplars::{self, TraceContext};
use monitor_runtime::http::HttpMetricsLayer;
use tower::{Layer, Service, ServiceExt, service_fn};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

/// What a handler saw: the thread's context, and the headers its outgoing call
/// carried.
#[derive(Debug, Clone, Default)]
struct Seen {
    context: Option<TraceContext>,
    sent: Option<HeaderMap>,
}

fn shared_seen() -> Arc<Mutex<Seen>> {
    Arc::new(Mutex::new(Seen::default()))
}

/// A router whose handler records its context and makes one call through the
/// client layer, to a service that keeps the headers it got.
fn app(seen: Arc<Mutex<Seen>>, layer: HttpMetricsLayer) -> Router {
    Router::new()
        .route(
            "/orders/{id}",
            get(move || {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().context = exemplars::current();
                    let inner = seen.clone();
                    let mut client = HttpClientMetricsLayer::new().layer(service_fn(
                        move |request: http::Request<()>| {
                            let inner = inner.clone();
                            async move {
                                inner.lock().unwrap().sent = Some(request.headers().clone());
                                Ok::<_, std::convert::Infallible>(http::Response::new(()))
                            }
                        },
                    ));
                    let request = http::Request::get("http://trace-downstream.test/stock")
                        .body(())
                        .unwrap();
                    client.ready().await.unwrap().call(request).await.unwrap();
                    "ok"
                }
            }),
        )
        .layer(layer)
}

async fn send(app: &Router, headers: &[(&str, &str)]) -> StatusCode {
    let mut request = Request::get("/orders/7");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    // The body read to its end: the request is over.
    let _ = http_body_util::BodyExt::collect(response.into_body()).await;
    status
}

fn invalid(reason: &str) -> f64 {
    let snapshot = monitor_runtime::snapshot();
    snapshot
        .value("monitor_trace_context_invalid_total", &[("reason", reason)])
        .unwrap_or_else(|| panic!("no series of reason {reason}"))
}

/// `traceparent` as the client layer sent it: trace id, parent id, flags.
fn sent_parent(seen: &Seen) -> (String, String, String) {
    let sent = seen.sent.as_ref().expect("the handler's call was sent");
    let value = sent["traceparent"].to_str().unwrap();
    let parts: Vec<&str> = value.split('-').collect();
    assert_eq!(parts.len(), 4, "{value}");
    assert_eq!(parts[0], "00");
    (parts[1].into(), parts[2].into(), parts[3].into())
}

#[tokio::test]
async fn a_valid_traceparent_is_continued_and_sent_on_with_its_tracestate() {
    let seen = shared_seen();
    let app = app(seen.clone(), HttpMetricsLayer::new());
    let parent = format!("00-{TRACE}-{PARENT}-01");
    let status = send(
        &app,
        &[
            ("traceparent", &parent),
            ("tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let seen = seen.lock().unwrap().clone();
    let context = seen
        .context
        .expect("the handler runs in the request's trace");
    assert_eq!(context.trace_id_hex(), TRACE);
    assert_ne!(
        context.span_id_hex(),
        PARENT,
        "the server span has an id of its own"
    );
    let (trace, client_span, flags) = sent_parent(&seen);
    assert_eq!(trace, TRACE);
    assert_ne!(
        client_span,
        context.span_id_hex(),
        "the client span is a child of the server span"
    );
    assert_ne!(client_span, PARENT);
    assert_eq!(flags, "01");
    assert_eq!(
        seen.sent.unwrap()["tracestate"],
        "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
    );
}

#[tokio::test]
async fn the_sampled_flag_is_sent_on_as_received() {
    let seen = shared_seen();
    let app = app(seen.clone(), HttpMetricsLayer::new());
    let parent = format!("00-{TRACE}-{PARENT}-00");
    assert_eq!(
        send(&app, &[("traceparent", &parent)]).await,
        StatusCode::OK
    );
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.context.unwrap().sampled());
    let (trace, _, flags) = sent_parent(&seen);
    assert_eq!((trace.as_str(), flags.as_str()), (TRACE, "00"));
}

#[tokio::test]
async fn every_invalid_traceparent_starts_a_new_trace_is_served_and_counted() {
    let cases = [
        (
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "version",
        ),
        (
            "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "version",
        ),
        (
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "trace_id",
        ),
        (
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "trace_id",
        ),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "parent_id",
        ),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bX-01",
            "parent_id",
        ),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
            "flags",
        ),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "format",
        ),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "format",
        ),
        (
            "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-0001",
            "format",
        ),
        ("00-garbage", "format"),
        ("garbage", "version"),
    ];
    for (value, reason) in cases {
        let seen = shared_seen();
        let app = app(seen.clone(), HttpMetricsLayer::new());
        let before = invalid(reason);
        let status = send(&app, &[("traceparent", value), ("tracestate", "rojo=1")]).await;
        assert_eq!(status, StatusCode::OK, "{value:?} is served");
        assert_eq!(
            invalid(reason),
            before + 1.0,
            "{value:?} counted as {reason}"
        );
        let seen = seen.lock().unwrap().clone();
        let context = seen.context.expect("a new trace");
        assert_ne!(context.trace_id_hex(), TRACE, "{value:?}: a new trace");
        assert!(context.sampled());
        let (trace, _, _) = sent_parent(&seen);
        assert_eq!(trace, context.trace_id_hex());
        assert!(
            !seen.sent.unwrap().contains_key("tracestate"),
            "{value:?}: no tracestate without a valid parent"
        );
    }
}

#[tokio::test]
async fn two_traceparent_headers_are_invalid() {
    let seen = shared_seen();
    let app = app(seen.clone(), HttpMetricsLayer::new());
    let before = invalid("multiple");
    let parent = format!("00-{TRACE}-{PARENT}-01");
    let status = send(&app, &[("traceparent", &parent), ("traceparent", &parent)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(invalid("multiple"), before + 1.0);
    assert_ne!(seen.lock().unwrap().context.unwrap().trace_id_hex(), TRACE);
}

#[tokio::test]
async fn an_invalid_tracestate_is_dropped_and_counted_but_the_parent_kept() {
    let seen = shared_seen();
    let app = app(seen.clone(), HttpMetricsLayer::new());
    let before = invalid("tracestate");
    let parent = format!("00-{TRACE}-{PARENT}-01");
    let status = send(&app, &[("traceparent", &parent), ("tracestate", "Upper=1")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(invalid("tracestate"), before + 1.0);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.context.unwrap().trace_id_hex(), TRACE);
    assert!(!seen.sent.unwrap().contains_key("tracestate"));
}

#[tokio::test]
async fn an_edge_that_does_not_trust_incoming_context_starts_new_traces() {
    let seen = shared_seen();
    let app = app(
        seen.clone(),
        HttpMetricsLayer::new().trust_incoming_trace(false),
    );
    let parent = format!("00-{TRACE}-{PARENT}-01");
    let status = send(&app, &[("traceparent", &parent), ("tracestate", "rojo=1")]).await;
    assert_eq!(status, StatusCode::OK);
    let seen = seen.lock().unwrap().clone();
    let context = seen.context.unwrap();
    assert_ne!(context.trace_id_hex(), TRACE);
    let (trace, _, _) = sent_parent(&seen);
    assert_eq!(trace, context.trace_id_hex());
    assert!(!seen.sent.unwrap().contains_key("tracestate"));
}

#[tokio::test]
async fn without_a_traceparent_a_request_starts_a_w3c_valid_trace() {
    let seen = shared_seen();
    let app = app(seen.clone(), HttpMetricsLayer::new());
    assert_eq!(send(&app, &[]).await, StatusCode::OK);
    let seen = seen.lock().unwrap().clone();
    let context = seen.context.unwrap();
    let sent = seen.sent.as_ref().unwrap()["traceparent"]
        .to_str()
        .unwrap()
        .to_owned();
    let parsed = TraceContext::from_traceparent(&sent).expect("a valid traceparent is sent");
    assert_eq!(parsed.trace_id(), context.trace_id());
}

#[tokio::test]
async fn trace_off_leaves_the_handler_without_a_context() {
    let seen = shared_seen();
    let app = app(seen.clone(), HttpMetricsLayer::new().trace(false));
    let parent = format!("00-{TRACE}-{PARENT}-01");
    assert_eq!(
        send(&app, &[("traceparent", &parent)]).await,
        StatusCode::OK
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.context, None);
    // The client still starts a trace of its own and sends it.
    let (trace, _, _) = sent_parent(&seen);
    assert_ne!(trace, TRACE);
}

#[tokio::test]
async fn the_client_histogram_carries_the_exemplar_of_its_trace() {
    exemplars::set_interval(std::time::Duration::ZERO);
    let trace =
        TraceContext::from_hex("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331").unwrap();
    let mut client =
        HttpClientMetricsLayer::new().layer(service_fn(|request: http::Request<()>| async move {
            let parent = request.headers()["traceparent"]
                .to_str()
                .unwrap()
                .to_owned();
            Ok::<_, std::convert::Infallible>(http::Response::new(parent))
        }));
    let request = http::Request::get("http://exemplar-client.test/")
        .body(())
        .unwrap();
    let sent = {
        let _in_trace = exemplars::enter(trace);
        client
            .ready()
            .await
            .unwrap()
            .call(request)
            .await
            .unwrap()
            .into_body()
    };
    assert!(
        sent.starts_with("00-0af7651916cd43dd8448eb211c80319c-"),
        "{sent}"
    );
    let exposition = String::from_utf8(monitor_runtime::render(Format::OpenMetrics)).unwrap();
    assert!(
        exposition.lines().any(|line| line
            .starts_with("http_client_request_duration_seconds_bucket")
            && line.contains("exemplar-client.test")
            && line.contains("trace_id=\"0af7651916cd43dd8448eb211c80319c\"")),
        "{exposition}"
    );
}
