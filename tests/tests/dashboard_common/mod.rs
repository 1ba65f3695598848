//! The test app of the dashboard tests: monitored functions (one failing now and
//! then, one async with buckets of its own), business metrics of each kind, two
//! health checks and an HTTP route measured by the metrics layer, served by the
//! framework's exporter on a free port.

#![allow(dead_code)]

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::Request;
use axum::http::StatusCode;
use axum::routing::get;
use http_body_util::BodyExt;
use monitor_runtime::exemplars::{self, TraceContext};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_runtime::{business_metric, health_check, monitored};
use monitor_tests::server::TestServer;
use tower::ServiceExt;

#[derive(Debug)]
pub struct Declined;

/// Fails for multiples of five.
#[monitored]
pub fn checkout(amount: u32) -> Result<u32, Declined> {
    if amount.is_multiple_of(5) {
        Err(Declined)
    } else {
        Ok(amount)
    }
}

/// Takes `millis`: its latency percentiles are known.
// Wide buckets around the sleeps, so that a loaded machine's delays stay inside.
#[monitored(buckets = [0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 0.25, 1])]
pub async fn ship(millis: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(millis)).await;
    millis
}

#[business_metric(counter = "dash_orders_total", help = "Orders placed, by plan.", labels(plan = plan))]
pub fn place_order(plan: &str) -> Result<(), Declined> {
    let _ = plan;
    Ok(())
}

#[business_metric(gauge = "dash_carts_open", help = "Carts currently open.", set = f64::from(carts))]
pub fn carts_open(carts: u32) {}

#[business_metric(histogram = "dash_basket_items", help = "Items per basket.", observe = f64::from(items), buckets = [1, 2, 5, 10])]
pub fn basket(items: u32) {}

#[health_check(name = "dash-database", readiness)]
async fn database() -> Result<(), String> {
    Ok(())
}

#[health_check(name = "dash-cache", critical = false)]
async fn cache() -> Result<(), String> {
    Err("cache at 10.0.0.7 refused the connection".to_owned())
}

async fn order(Path(id): Path<u32>) -> (StatusCode, String) {
    match checkout(id) {
        Ok(amount) => (StatusCode::OK, format!("order {amount}\n")),
        Err(Declined) => (StatusCode::SERVICE_UNAVAILABLE, "declined\n".to_owned()),
    }
}

/// The app's own route, measured by the HTTP metrics layer.
pub fn routes() -> Router {
    Router::new().route("/orders/{id}", get(order))
}

/// The exporter with the app's route, every route measured.
pub fn start() -> TestServer {
    TestServer::start_configured(|exporter| {
        exporter
            .merge(routes())
            .layer(HttpMetricsLayer::new().routes([("GET", "/orders/{id}")]))
    })
}

/// Some traffic of every kind.
pub async fn traffic(server: &TestServer, rounds: u32) {
    for round in 0..rounds {
        let _ = checkout(round);
        place_order(if round % 2 == 0 { "pro" } else { "free" }).unwrap();
        carts_open(round % 7);
        basket(round % 12);
        ship(1).await;
        let url = server.url(&format!("/orders/{round}"));
        monitor_tests::http::get(&url)
            .await
            .expect("the app answers");
    }
}

/// `GET {route}/{millis}` of a router measured by a layer configured as the test
/// app's (so its figures are the exporter's), in process, inside `trace`: the
/// thread's trace, and its `traceparent` header too.
pub async fn traced_request(trace: TraceContext, route: &str, millis: u64) {
    let app = Router::new()
        .route(
            &format!("{route}/{{millis}}"),
            get(|Path(millis): Path<u64>| async move {
                tokio::time::sleep(Duration::from_millis(millis)).await;
                "traced\n"
            }),
        )
        .layer(HttpMetricsLayer::new().routes([("GET", "/orders/{id}")]));
    let request = Request::builder()
        .uri(format!("{route}/{millis}"))
        .header("traceparent", trace.traceparent())
        .body(Body::empty())
        .unwrap();
    let _in_trace = exemplars::enter(trace);
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
}
