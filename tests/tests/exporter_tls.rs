//! A real Prometheus scrapes the exporter over HTTPS with a bearer token and gzip,
//! using its `tls_config` and `authorization` settings, and its query API returns
//! the counter values the program produced.

use std::sync::atomic::{AtomicUsize, Ordering};

use monitor_runtime::monitored;
use monitor_tests::prometheus_server::PrometheusServer;
use monitor_tests::server::TestServer;
use monitor_tests::tools;

const TOKEN: &str = "scrape-token-for-the-tls-test";

/// Answers of `/metrics` the exporter gzipped.
static GZIPPED: AtomicUsize = AtomicUsize::new(0);

#[monitored]
fn served_over_tls(fail: bool) -> Result<(), String> {
    if fail { Err("no".to_owned()) } else { Ok(()) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_over_tls_with_a_token_and_gzip() {
    if !tools::require("prometheus") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = monitor_tests::tls::self_signed_localhost(dir.path());

    for fail in [false, false, false, true] {
        served_over_tls(fail).ok();
    }
    let (tls_cert, tls_key) = (cert.clone(), key.clone());
    let server = TestServer::start_configured(move |exporter| {
        exporter
            .token(TOKEN)
            .tls(&tls_cert, &tls_key)
            .expect("the test certificate loads")
            .layer(axum::middleware::map_response(
                |response: axum::response::Response| async move {
                    if response
                        .headers()
                        .get("content-encoding")
                        .is_some_and(|encoding| encoding == "gzip")
                    {
                        GZIPPED.fetch_add(1, Ordering::SeqCst);
                    }
                    response
                },
            ))
    });
    // Plain HTTP is not served on the TLS port.
    assert!(
        monitor_tests::http::get(&server.url("/livez"))
            .await
            .is_err()
    );

    let job = format!(
        "    scheme: https\n    authorization:\n      type: Bearer\n      credentials: {TOKEN}\n    \
         tls_config:\n      ca_file: {}\n      server_name: localhost\n",
        cert.display()
    );
    let target = format!("localhost:{}", server.addr().port());
    let prometheus = PrometheusServer::start_job(&[target], &job).await;
    let up = prometheus
        .query_until("up", |result| {
            result.first().is_some_and(|up| up.value == 1.0)
        })
        .await;
    assert_eq!(up.len(), 1, "{up:?}");
    let calls = prometheus
        .query_until(
            r#"function_calls_total{function="served_over_tls"}"#,
            |result| result.len() == 2,
        )
        .await;
    let value = |result: &str| {
        calls
            .iter()
            .find(|sample| sample.label("result") == Some(result))
            .map(|sample| sample.value)
    };
    assert_eq!(value("ok"), Some(3.0), "{calls:?}");
    assert_eq!(value("error"), Some(1.0), "{calls:?}");
    assert!(
        GZIPPED.load(Ordering::SeqCst) >= 1,
        "Prometheus's scrapes were answered gzipped"
    );
}
