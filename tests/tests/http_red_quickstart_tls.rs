//! The quickstart serving HTTPS: its workload still calls the shop's API over the
//! network (over TLS, trusting the certificate it serves), so the HTTP metrics show
//! real requests by route. A real Prometheus scrapes it over HTTPS; `/metrics` is
//! left out of the layer, so every request counted comes from the workload.

use monitor_tests::prometheus_server::PrometheusServer;
use monitor_tests::quickstart::{self, Quickstart};
use monitor_tests::tools;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_the_workload_calls_the_api_over_https() {
    if !tools::require("prometheus") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = monitor_tests::tls::self_signed_localhost(dir.path());
    let binary = quickstart::build();
    let args = [
        "--addr",
        "127.0.0.1:0",
        "--tls-cert",
        cert.to_str().unwrap(),
        "--tls-key",
        key.to_str().unwrap(),
    ];
    let mut quickstart = Quickstart::spawn(&binary, &args);
    let line = quickstart.wait_for_line(|line| {
        line.split_whitespace().next() == Some("metrics") && line.contains("https://")
    });
    let port: u16 = line
        .rsplit(':')
        .next()
        .and_then(|rest| rest.split('/').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));

    let job = format!(
        "    scheme: https\n    tls_config:\n      ca_file: {}\n      server_name: localhost\n",
        cert.display()
    );
    let prometheus = PrometheusServer::start_job(&[format!("localhost:{port}")], &job).await;
    let requests = prometheus
        .query_until(
            "sum by (http_route) (http_server_request_duration_seconds_count{job=\"test\"})",
            |result| {
                ["/orders", "/logins/{user}", "_UNMATCHED"]
                    .iter()
                    .all(|route| {
                        result
                            .iter()
                            .any(|s| s.label("http_route") == Some(route) && s.value > 0.0)
                    })
            },
        )
        .await;
    assert!(
        requests
            .iter()
            .all(|s| s.label("http_route") != Some("/metrics")),
        "{requests:?}"
    );
    // Failures went over HTTPS too: some logins were refused (401 or 423).
    let refused = prometheus
        .query_until(
            "sum(http_server_request_duration_seconds_count\
             {http_route=\"/logins/{user}\",http_response_status_code=~\"401|423\"})",
            |result| result.first().is_some_and(|s| s.value > 0.0),
        )
        .await;
    assert_eq!(refused.len(), 1, "{refused:?}");

    quickstart.interrupt();
    assert!(quickstart.wait().success(), "{:#?}", quickstart.printed);
}
