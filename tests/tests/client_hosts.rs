//! A flood of distinct hosts stays within the documented bound of `server_address`:
//! past it, hosts are folded into `_OTHER` and counted. (Its own test binary: the
//! bound is process-wide.)

use std::collections::BTreeSet;
use std::convert::Infallible;

use monitor_runtime::client::HttpClientMetricsLayer;

/// The server addresses the client layer labels, the others go under `OTHER_SERVER_ADDRESS`.
const MAX_SERVER_ADDRESSES: usize = 100;
const OTHER_SERVER_ADDRESS: &str = "_OTHER";
use monitor_tests::{parse_samples, sample};
use tower::{Service, ServiceBuilder, ServiceExt};

#[tokio::test]
async fn distinct_hosts_are_bounded_and_the_overflow_counted() {
    // The layer does not care what sends the request: an answering service will do.
    let answer = tower::service_fn(|_request: http::Request<()>| async {
        Ok::<_, Infallible>(http::Response::new(()))
    });
    let mut client = ServiceBuilder::new()
        .layer(HttpClientMetricsLayer::new())
        .service(answer);
    let flood = MAX_SERVER_ADDRESSES + 50;
    for host in 0..flood {
        let request = http::Request::get(format!("https://host-{host}.example.com/items"))
            .body(())
            .unwrap();
        client.ready().await.unwrap().call(request).await.unwrap();
    }
    // A known host keeps its name after the bound was reached.
    let request = http::Request::get("https://HOST-0.example.com./again")
        .body(())
        .unwrap();
    client.ready().await.unwrap().call(request).await.unwrap();
    // So does a request without a URI host, by its Host header.
    let request = http::Request::get("/relative")
        .header("host", "host-1.example.com:8443")
        .body(())
        .unwrap();
    client.ready().await.unwrap().call(request).await.unwrap();

    let samples = parse_samples(&monitor_runtime::render_metrics().unwrap());
    let addresses: BTreeSet<&str> = samples
        .iter()
        .filter(|sample| sample.name == "http_client_request_duration_seconds_count")
        .flat_map(|sample| sample.labels.iter())
        .filter(|(name, _)| name == "server_address")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(addresses.len(), MAX_SERVER_ADDRESSES + 1, "{addresses:?}");
    assert!(addresses.contains(OTHER_SERVER_ADDRESS));
    let count = |host: &str| {
        sample(
            "http_client_request_duration_seconds_count",
            &[
                ("server_address", host),
                ("http_response_status_code", "200"),
            ],
        )
    };
    assert_eq!(count(OTHER_SERVER_ADDRESS), Some(50.0));
    assert_eq!(count("host-0.example.com"), Some(2.0));
    assert_eq!(count("host-1.example.com"), Some(2.0));
    assert_eq!(
        sample("http_client_server_address_overflow_total", &[]),
        Some(50.0)
    );
    // Both families come from the model, no collector of the prometheus registry.
    assert!(
        monitor_runtime::registry()
            .gather()
            .iter()
            .all(|family| !family.name().starts_with("http_client_")),
    );
}
