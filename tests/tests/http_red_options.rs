//! The options of the HTTP metrics layer, read back from the exposition: series at
//! zero from start-up for the given routes, status classes, excluded routes, the
//! buckets given, default buckets that are those of `#[monitored]`, buckets that
//! make no sense falling back to the defaults without stopping anything, and layers
//! built alike adding up.
//!
//! Each test has its own `test` constant label: the tests share the registry.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_tests::http::send_in_process as send;
use monitor_tests::{Sample, parse_samples};
use tower::Layer;

fn samples(test: &str) -> Vec<Sample> {
    parse_samples(&monitor_runtime::render_metrics().unwrap())
        .into_iter()
        .filter(|s| s.labels.iter().any(|(k, v)| k == "test" && v == test))
        .collect()
}

fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    samples
        .iter()
        .filter(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(sk, sv)| sk == k && sv == v))
        })
        .collect()
}

fn count(samples: &[Sample], labels: &[(&str, &str)]) -> Option<f64> {
    let found = find(
        samples,
        "http_server_request_duration_seconds_count",
        labels,
    );
    assert!(found.len() <= 1, "{labels:?}: {found:?}");
    found.first().map(|s| s.value)
}

fn routes() -> Router {
    Router::new()
        .route("/users/{id}", get(|| async { "ada" }))
        .route("/orders", post(|| async { StatusCode::CREATED }))
        .route("/internal/{job}", get(|| async { "job" }))
        .route("/fail", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
}

fn app(layer: HttpMetricsLayer) -> Router {
    routes().layer(layer)
}

#[tokio::test]
async fn given_routes_have_series_at_zero_before_their_first_request() {
    let layer = HttpMetricsLayer::new()
        .const_label("test", "zero")
        .routes([("GET", "/users/{id}"), ("POST", "/orders")]);
    let app = app(layer);
    let s = samples("zero");
    let users = [
        ("http_request_method", "GET"),
        ("http_route", "/users/{id}"),
        ("http_response_status_code", "200"),
    ];
    assert_eq!(count(&s, &users), Some(0.0), "{s:?}");
    let orders = [("http_request_method", "POST"), ("http_route", "/orders")];
    assert_eq!(count(&s, &orders), Some(0.0), "{s:?}");
    let unmatched = [
        ("http_route", "_UNMATCHED"),
        ("http_response_status_code", "404"),
    ];
    assert_eq!(count(&s, &unmatched), Some(0.0), "{s:?}");
    let request_size = find(
        &s,
        "http_server_request_body_size_bytes_count",
        &[("http_route", "/users/{id}")],
    );
    assert_eq!(request_size.len(), 1, "{s:?}");
    // The active gauge of every method is there too.
    for method in ["GET", "POST", "_OTHER"] {
        let active = find(
            &s,
            "http_server_active_requests",
            &[("http_request_method", method)],
        );
        assert_eq!(active.len(), 1, "{method}: {s:?}");
        assert_eq!(active[0].value, 0.0);
    }

    assert_eq!(send(&app, "GET", "/users/1").await, StatusCode::OK);
    assert_eq!(count(&samples("zero"), &users), Some(1.0));
}

#[tokio::test]
async fn status_codes_can_be_grouped_by_class() {
    let app = app(HttpMetricsLayer::new()
        .const_label("test", "grouped")
        .group_status_codes(true));
    assert_eq!(send(&app, "POST", "/orders").await, StatusCode::CREATED);
    assert_eq!(send(&app, "GET", "/users/1").await, StatusCode::OK);
    assert_eq!(
        send(&app, "GET", "/fail").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(send(&app, "GET", "/nowhere").await, StatusCode::NOT_FOUND);
    let s = samples("grouped");
    let of = |route, status| {
        count(
            &s,
            &[("http_route", route), ("http_response_status_code", status)],
        )
    };
    assert_eq!(of("/orders", "2xx"), Some(1.0));
    assert_eq!(of("/users/{id}", "2xx"), Some(1.0));
    assert_eq!(of("/fail", "5xx"), Some(1.0));
    assert_eq!(of("_UNMATCHED", "4xx"), Some(1.0));
    assert!(
        find(&s, "http_server_request_duration_seconds_count", &[])
            .iter()
            .all(|sample| sample
                .labels
                .iter()
                .any(|(k, v)| k == "http_response_status_code" && v.ends_with("xx"))),
        "{s:?}"
    );
}

#[tokio::test]
async fn excluded_routes_are_not_measured() {
    let layer = HttpMetricsLayer::new()
        .const_label("test", "excluded")
        .exclude_routes(["/internal/{job}"]);
    let app = app(layer);
    assert_eq!(send(&app, "GET", "/internal/7").await, StatusCode::OK);
    assert_eq!(send(&app, "GET", "/users/7").await, StatusCode::OK);
    let s = samples("excluded");
    assert!(
        find(
            &s,
            "http_server_request_duration_seconds_count",
            &[("http_route", "/internal/{job}")]
        )
        .is_empty(),
        "{s:?}"
    );
    assert_eq!(count(&s, &[("http_route", "/users/{id}")]), Some(1.0));
    let active = find(
        &s,
        "http_server_active_requests",
        &[("http_request_method", "GET")],
    );
    assert_eq!(active[0].value, 0.0);
}

#[tokio::test]
async fn buckets_are_the_ones_given_and_bad_ones_fall_back_to_the_defaults() {
    let given = app(HttpMetricsLayer::new()
        .const_label("test", "buckets")
        .duration_buckets([0.5, 2.0])
        .size_buckets([1.0, 10.0]));
    assert_eq!(send(&given, "GET", "/users/1").await, StatusCode::OK);
    let s = samples("buckets");
    let bounds = |name: &str| -> Vec<String> {
        find(&s, name, &[("http_route", "/users/{id}")])
            .iter()
            .filter_map(|sample| {
                sample
                    .labels
                    .iter()
                    .find(|(k, _)| k == "le")
                    .map(|(_, v)| v.clone())
            })
            .collect()
    };
    assert_eq!(
        bounds("http_server_request_duration_seconds_bucket"),
        ["0.5", "2", "+Inf"]
    );
    // "ada": 3 bytes, above 1 and below 10.
    let response = find(
        &s,
        "http_server_response_body_size_bytes_bucket",
        &[("http_route", "/users/{id}"), ("le", "10")],
    );
    assert_eq!(response[0].value, 1.0);
    let response = find(
        &s,
        "http_server_response_body_size_bytes_bucket",
        &[("http_route", "/users/{id}"), ("le", "1")],
    );
    assert_eq!(response[0].value, 0.0);

    // Decreasing, negative and NaN bounds: the defaults, and the requests counted.
    let bad = app(HttpMetricsLayer::new()
        .const_label("test", "bad-buckets")
        .duration_buckets([1.0, 0.5])
        .size_buckets([-1.0, f64::NAN]));
    assert_eq!(send(&bad, "GET", "/users/1").await, StatusCode::OK);
    let s = samples("bad-buckets");
    let duration_bounds = find(
        &s,
        "http_server_request_duration_seconds_bucket",
        &[("http_route", "/users/{id}")],
    )
    .len();
    assert_eq!(
        duration_bounds,
        monitor_runtime::__private::HTTP_DURATION_BUCKETS.len() + 1
    );
    let size_bounds = find(
        &s,
        "http_server_request_body_size_bytes_bucket",
        &[("http_route", "/users/{id}")],
    )
    .len();
    assert_eq!(
        size_bounds,
        monitor_runtime::__private::HTTP_SIZE_BUCKETS.len() + 1
    );
    assert_eq!(count(&s, &[("http_route", "/users/{id}")]), Some(1.0));
}

#[tokio::test]
async fn outside_the_router_the_given_routes_name_the_requests() {
    let layer = HttpMetricsLayer::new()
        .const_label("test", "outside")
        .routes([("GET", "/users/{id}"), ("POST", "/orders")]);
    // Around the router, with the monitoring routes merged in: no request carries
    // the route axum matched.
    let service = layer.layer(routes().merge(monitor_runtime::router()));
    assert_eq!(send(&service, "GET", "/users/1").await, StatusCode::OK);
    assert_eq!(send(&service, "GET", "/users/2").await, StatusCode::OK);
    assert_eq!(send(&service, "POST", "/orders").await, StatusCode::CREATED);
    assert_eq!(
        send(&service, "DELETE", "/orders").await,
        StatusCode::METHOD_NOT_ALLOWED
    );
    assert_eq!(
        send(&service, "GET", "/nowhere/7").await,
        StatusCode::NOT_FOUND
    );
    // A route the layer was not given: its path matches no template it knows.
    assert_eq!(
        send(&service, "GET", "/fail").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    // The monitoring routes stay out by their templates, also outside the router.
    assert_eq!(send(&service, "GET", "/metrics").await, StatusCode::OK);
    assert_eq!(send(&service, "GET", "/health/live").await, StatusCode::OK);

    let s = samples("outside");
    let of = |method, route, status| {
        count(
            &s,
            &[
                ("http_request_method", method),
                ("http_route", route),
                ("http_response_status_code", status),
            ],
        )
    };
    assert_eq!(of("GET", "/users/{id}", "200"), Some(2.0), "{s:?}");
    assert_eq!(of("POST", "/orders", "201"), Some(1.0), "{s:?}");
    assert_eq!(of("DELETE", "/orders", "405"), Some(1.0), "{s:?}");
    assert_eq!(of("GET", "_UNMATCHED", "404"), Some(1.0), "{s:?}");
    assert_eq!(of("GET", "_UNMATCHED", "503"), Some(1.0), "{s:?}");
    let mut routes: Vec<&str> = find(&s, "http_server_request_duration_seconds_count", &[])
        .iter()
        .flat_map(|sample| &sample.labels)
        .filter(|(name, _)| name == "http_route")
        .map(|(_, value)| value.as_str())
        .collect();
    routes.sort_unstable();
    routes.dedup();
    assert_eq!(routes, ["/orders", "/users/{id}", "_UNMATCHED"], "{s:?}");
    // Six measured requests, the two monitoring ones not among them.
    let total: f64 = find(&s, "http_server_request_duration_seconds_count", &[])
        .iter()
        .map(|sample| sample.value)
        .sum();
    assert_eq!(total, 6.0, "{s:?}");
}

#[tokio::test]
async fn layers_built_alike_add_up_and_the_families_come_from_the_model() {
    // Two routers, each with a layer given its own routes: two configurations of the
    // same constant labels, whose series of the same labels are one series.
    let users = app(HttpMetricsLayer::new()
        .const_label("test", "two")
        .routes([("GET", "/users/{id}")]));
    let orders = app(HttpMetricsLayer::new()
        .const_label("test", "two")
        .routes([("POST", "/orders")]));
    assert_eq!(send(&users, "GET", "/users/1").await, StatusCode::OK);
    assert_eq!(send(&orders, "POST", "/orders").await, StatusCode::CREATED);
    assert_eq!(send(&users, "GET", "/nowhere").await, StatusCode::NOT_FOUND);
    assert_eq!(
        send(&orders, "GET", "/nowhere").await,
        StatusCode::NOT_FOUND
    );
    let s = samples("two");
    assert_eq!(count(&s, &[("http_route", "/users/{id}")]), Some(1.0));
    let created = [
        ("http_route", "/orders"),
        ("http_response_status_code", "201"),
    ];
    assert_eq!(count(&s, &created), Some(1.0));
    assert_eq!(
        count(
            &s,
            &[
                ("http_route", "_UNMATCHED"),
                ("http_response_status_code", "404")
            ]
        ),
        Some(2.0),
        "{s:?}"
    );
    let active = find(
        &s,
        "http_server_active_requests",
        &[("http_request_method", "GET")],
    );
    assert_eq!(active.len(), 1, "{s:?}");
    assert_eq!(active[0].value, 0.0);

    // The model has them; no collector of the prometheus registry does.
    let snapshot = monitor_runtime::snapshot();
    for name in [
        "http_server_request_duration_seconds",
        "http_server_active_requests",
        "http_server_request_body_size_bytes",
        "http_server_response_body_size_bytes",
    ] {
        let family = snapshot.family(name).unwrap();
        assert!(
            family
                .series
                .iter()
                .any(|series| series.labels.get("test") == Some("two")),
            "{name}"
        );
    }
    assert!(
        monitor_runtime::registry()
            .gather()
            .iter()
            .all(|family| !family.name().starts_with("http_server_")),
        "no prometheus collector of the HTTP layer"
    );
}

#[monitor_runtime::monitored]
fn timed() {}

#[tokio::test]
async fn the_default_duration_buckets_are_those_of_monitored_functions() {
    let app = app(HttpMetricsLayer::new().const_label("test", "default-buckets"));
    assert_eq!(send(&app, "GET", "/users/1").await, StatusCode::OK);
    timed();
    let le = |samples: &[Sample], name: &str, labels: &[(&str, &str)]| -> Vec<String> {
        find(samples, name, labels)
            .iter()
            .filter_map(|sample| {
                let (_, le) = sample.labels.iter().find(|(k, _)| k == "le")?;
                Some(le.clone())
            })
            .collect()
    };
    let route = le(
        &samples("default-buckets"),
        "http_server_request_duration_seconds_bucket",
        &[("http_route", "/users/{id}")],
    );
    let all = parse_samples(&monitor_runtime::render_metrics().unwrap());
    let function = le(
        &all,
        "function_calls_duration_seconds_bucket",
        &[("function", "timed")],
    );
    assert_eq!(route, function);
    assert_eq!(
        route.first().map(String::as_str),
        Some("0.0001"),
        "{route:?}"
    );
    assert_eq!(
        route.len(),
        monitor_runtime::__private::HTTP_DURATION_BUCKETS.len() + 1
    );
}
