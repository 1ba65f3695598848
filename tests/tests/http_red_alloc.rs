//! The HTTP metrics layer allocates nothing per request for a route it has seen:
//! its handles are resolved once and cached by route. A counting global allocator
//! compares a service with the layer and without it, request for request.

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::{Request, Response};
use axum::routing::get;
use http_body_util::{Empty, Full};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_tests::alloc_count::{CountingAllocator, allocations};
use tower::{Layer, Service};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Reads `body` to its end.
fn drain<B: HttpBody>(body: B) {
    let mut body = pin!(body);
    let mut cx = Context::from_waker(Waker::noop());
    while let Poll::Ready(Some(_)) = body.as_mut().poll_frame(&mut cx) {}
}

/// Allocations of `requests` requests through `service`, after a warm-up.
fn per_requests<S, B, R>(mut service: S, make: impl Fn() -> Request<B>, requests: usize) -> usize
where
    S: Service<Request<B>, Response = Response<R>>,
    S::Error: std::fmt::Debug,
    R: HttpBody,
{
    let send = |service: &mut S| {
        ready(std::future::poll_fn(|cx| service.poll_ready(cx))).unwrap();
        let response = ready(service.call(make())).unwrap();
        drain(response.into_body());
    };
    for _ in 0..10 {
        send(&mut service);
    }
    allocations(|| {
        for _ in 0..requests {
            send(&mut service);
        }
    })
}

async fn hello<B>(_request: Request<B>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(b"hello"))))
}

#[test]
fn a_tower_service_gets_no_allocation_from_the_layer() {
    let request = || Request::new(Empty::<Bytes>::new());
    let bare = per_requests(tower::service_fn(hello::<Empty<Bytes>>), request, 1000);
    let layer = HttpMetricsLayer::new().const_label("test", "tower");
    // The layer hands the inner service axum's `Body`.
    let service = tower::service_fn(hello::<Body>);
    let layered = per_requests(layer.layer(service), request, 1000);
    assert_eq!(layered, bare, "bare: {bare}, with the layer: {layered}");
}

#[test]
fn on_an_axum_route_the_layer_adds_only_the_boxing_of_its_response_body() {
    // `with_state(())` turns the handlers into routes once, not at every call.
    let routes = || {
        axum::Router::new()
            .route("/users/{id}", get(|| async { "ada" }))
            .with_state(())
    };
    let request = || {
        Request::get("/users/7")
            .body(Body::empty())
            .expect("a request")
    };
    // Any layer on an axum route costs axum allocations per request (the boxed
    // route is cloned for each call): the baseline is a layer that does nothing.
    let nothing = tower::util::MapRequestLayer::new(|request: Request<Body>| request);
    let baseline = per_requests(routes().layer(nothing), request, 1000);
    let layer = HttpMetricsLayer::new().const_label("test", "axum");
    let layered = per_requests(routes().layer(layer), request, 1000);
    // axum erases the type of the response body the layer wraps (`Body::new`): one
    // box. A request without a body passes unwrapped; the layer itself allocates
    // nothing.
    assert_eq!(
        layered,
        baseline + 1000,
        "a layer doing nothing: {baseline}, this layer: {layered}"
    );
}

#[test]
fn around_a_router_given_its_routes_the_layer_allocates_nothing() {
    let routes = || {
        axum::Router::new()
            .route("/users/{id}", get(|| async { "ada" }))
            .route("/orders", axum::routing::post(|| async { "made" }))
            .with_state(())
    };
    let request = || {
        Request::get("/users/7")
            .body(Body::empty())
            .expect("a request")
    };
    let bare = per_requests(routes(), request, 1000);
    let layer = HttpMetricsLayer::new()
        .const_label("test", "around")
        .routes([("GET", "/users/{id}"), ("POST", "/orders")]);
    // Outside the router the measured body is the router's response body wrapped,
    // not boxed again: a server that takes any body type (hyper's) gets it as it is.
    let layered = per_requests(layer.layer(routes()), request, 1000);
    assert_eq!(
        layered, bare,
        "bare: {bare}, with the layer around it: {layered}"
    );
}
