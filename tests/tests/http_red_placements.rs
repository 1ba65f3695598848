//! Every placement of the HTTP metrics layer that the docs show counts every
//! request, a path no route matches included (as `_UNMATCHED`). (On a router, the
//! monitoring routes are merged before `.layer`: merged after it, axum's `merge`
//! keeps the fallback of the router merged in, outside the layer, and a request to
//! an unknown path would not be counted.)

use axum::body::Body;
use axum::http::{Response, StatusCode};
use axum::{Router, routing::get};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_runtime::http::UNMATCHED_ROUTE;
use monitor_tests::http::send_in_process;
use tower::ServiceBuilder;

/// Requests of `placement` to `route`, answered `status`.
fn count(placement: &str, route: &str, status: &str) -> f64 {
    let snapshot = monitor_runtime::snapshot();
    snapshot
        .family("http_server_request_duration_seconds")
        .and_then(|family| {
            family.series.iter().find(|series| {
                series.labels.get("placement") == Some(placement)
                    && series.labels.get("http_route") == Some(route)
                    && series.labels.get("http_response_status_code") == Some(status)
            })
        })
        .map_or(0.0, |series| series.value.scalar())
}

fn layer(placement: &str) -> HttpMetricsLayer {
    HttpMetricsLayer::new().const_label("placement", placement)
}

fn user_routes() -> Router {
    Router::new().route("/users/{id}", get(|| async { "ada" }))
}

/// Sends a known route, an unknown path and `/metrics`, and checks what was counted.
async fn check<S>(placement: &str, app: S)
where
    S: tower::Service<axum::extract::Request, Response = Response<Body>> + Clone,
    S::Error: std::fmt::Debug,
{
    assert_eq!(
        send_in_process(&app, "GET", "/users/7").await,
        StatusCode::OK
    );
    assert_eq!(
        send_in_process(&app, "GET", "/no/such/path").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send_in_process(&app, "GET", "/metrics").await,
        StatusCode::OK
    );
    assert_eq!(count(placement, "/users/{id}", "200"), 1.0, "{placement}");
    assert_eq!(
        count(placement, UNMATCHED_ROUTE, "404"),
        1.0,
        "{placement}: the unknown path is counted"
    );
    assert_eq!(
        count(placement, "/metrics", "200"),
        0.0,
        "{placement}: the monitoring routes are left out"
    );
}

#[tokio::test]
async fn on_the_router_with_the_monitoring_routes_merged_first() {
    let app: Router = user_routes()
        .merge(monitor_runtime::router())
        .layer(layer("router"));
    check("router", app).await;
}

#[tokio::test]
async fn around_the_whole_router() {
    let app: Router = user_routes().merge(monitor_runtime::router());
    let service = ServiceBuilder::new()
        .map_response(|response: Response<_>| response.map(Body::new))
        .layer(layer("around").routes([("GET", "/users/{id}")]))
        .service(app);
    check("around", service).await;
}
