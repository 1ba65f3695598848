//! How many series one instance exposes per monitored function, per HTTP route and
//! status, per business label set, and that none of them carries the instance
//! identity (only `target_info` does), so that replicas never collide and a
//! series' cardinality does not grow with the replicas. These are the figures of
//! the table of series per instance in the crate docs of `monitor-runtime` ("Many
//! replicas").

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use monitor_runtime::__private::{
    HTTP_DURATION_BUCKETS as DEFAULT_DURATION_BUCKETS, HTTP_SIZE_BUCKETS as DEFAULT_SIZE_BUCKETS,
};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_runtime::identity::{self, Identity};
use monitor_runtime::monitored;
use monitor_tests::{Sample, parse_samples};
use tower::ServiceExt;

#[derive(Debug)]
struct Failed;

#[monitored]
fn sync_work(fail: bool) -> Result<(), Failed> {
    if fail { Err(Failed) } else { Ok(()) }
}

#[monitored]
async fn async_work() -> Result<(), Failed> {
    Ok(())
}

monitor_runtime::business_metrics! {
    counter ORDERS = "scale_orders_total", help = "Orders.", labels(plan);
    histogram BASKET = "scale_basket_euros", help = "Basket value.", labels(plan),
        buckets = [10.0, 50.0, 100.0];
}

fn exposition() -> Vec<Sample> {
    parse_samples(&monitor_runtime::render_metrics().unwrap())
}

fn count(samples: &[Sample], label: (&str, &str)) -> usize {
    samples
        .iter()
        .filter(|sample| {
            sample
                .labels
                .iter()
                .any(|(k, v)| k == label.0 && v == label.1)
        })
        .count()
}

/// Finite bounds of the default `#[monitored]` histogram: 100 µs to 10 s (the
/// attribute reference, "Buckets").
const DEFAULT_BUCKETS: usize = 16;

#[tokio::test]
async fn series_per_function_route_and_label_set() {
    sync_work(false).unwrap();
    sync_work(true).unwrap_err();
    async_work().await.unwrap();
    let samples = exposition();

    // calls {ok, error} + concurrent + the duration histogram (buckets, +Inf, sum, count).
    let histogram = DEFAULT_BUCKETS + 3;
    assert_eq!(
        count(&samples, ("function", "sync_work")),
        2 + 1 + histogram
    );
    // An async function adds the cancelled calls and their duration histogram.
    assert_eq!(
        count(&samples, ("function", "async_work")),
        2 + 1 + histogram + 1 + histogram
    );

    // One series per label set of a counter; buckets + 3 of a histogram.
    ORDERS.inc([&"pro"]);
    ORDERS.inc([&"free"]);
    BASKET.observe(20.0, [&"pro"]);
    let samples = exposition();
    let of = |name: &str| {
        samples
            .iter()
            .filter(|sample| sample.name.starts_with(name))
            .count()
    };
    assert_eq!(of("scale_orders_total"), 2);
    assert_eq!(of("scale_basket_euros"), 3 + 3);

    // An HTTP route, method and status: the duration histogram and the two body
    // size histograms.
    let app = Router::new()
        .route("/orders/{id}", get(|| async { "ok" }))
        .layer(HttpMetricsLayer::new().const_label("test", "scale_series"));
    for id in 0..50 {
        let request = Request::get(format!("/orders/{id}"))
            .body(Body::empty())
            .unwrap();
        app.clone().oneshot(request).await.unwrap();
    }
    let samples = exposition();
    let route = count(&samples, ("http_route", "/orders/{id}"));
    let duration = DEFAULT_DURATION_BUCKETS.len() + 3;
    let sizes = 2 * (DEFAULT_SIZE_BUCKETS.len() + 3);
    assert_eq!(route, duration + sizes, "duration and both body sizes");
    assert_eq!(
        route,
        count(&exposition(), ("http_route", "/orders/{id}")),
        "fifty different paths of one template make no new series"
    );
    let per_status = samples
        .iter()
        .filter(|sample| {
            sample
                .name
                .starts_with("http_server_request_duration_seconds")
                && sample
                    .labels
                    .iter()
                    .any(|(k, v)| k == "http_route" && v == "/orders/{id}")
        })
        .count();
    assert_eq!(
        per_status, duration,
        "one duration histogram per route, method and status"
    );
}

#[test]
fn only_target_info_carries_the_identity() {
    identity::configure(
        Identity::new("shop")
            .instance("shop-pod-7")
            .version("3.2.1"),
    );
    let samples = exposition();
    let carrying: Vec<&Sample> = samples
        .iter()
        .filter(|sample| sample.labels.iter().any(|(_, value)| value == "shop-pod-7"))
        .collect();
    assert_eq!(carrying.len(), 1, "{carrying:?}");
    let info = carrying[0];
    assert_eq!(info.name, "target_info");
    assert_eq!(info.value, 1.0);
    let label = |name: &str| {
        info.labels
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    assert_eq!(label("service_name"), Some("shop"));
    assert_eq!(label("service_version"), Some("3.2.1"));
    // The scraper adds `job` and `instance`: no series may already have them.
    assert!(
        samples.iter().all(|sample| sample
            .labels
            .iter()
            .all(|(k, _)| k != "instance" && k != "job")),
        "no series carries job or instance"
    );
    let build = samples
        .iter()
        .find(|sample| sample.name == "monitor_build_info")
        .expect("monitor_build_info");
    assert_eq!(
        build.labels,
        [("version".to_owned(), env!("CARGO_PKG_VERSION").to_owned())]
    );
}
