//! The quickstart's secure setup: `--token` protects `/metrics` and leaves the
//! probes public; `--tls-cert`/`--tls-key` serve HTTPS, and a missing file is a
//! clear error.

use hyper::Method;
use monitor_tests::http::request_with;
use monitor_tests::quickstart::{self, Quickstart};

#[tokio::test(flavor = "multi_thread")]
async fn the_quickstart_requires_its_token() {
    let binary = quickstart::build();
    let mut quickstart = Quickstart::spawn(
        &binary,
        &[
            "--addr",
            "127.0.0.1:0",
            "--token",
            "quick-token",
            "--exit-after",
            "60",
        ],
    );
    let metrics = quickstart.url_of("metrics");
    let livez = metrics.replace("/metrics", "/livez");
    let anonymous = request_with(Method::GET, &metrics, &[]).await.unwrap();
    assert_eq!(anonymous.status, 401);
    let authorised = request_with(
        Method::GET,
        &metrics,
        &[("authorization", "Bearer quick-token")],
    )
    .await
    .unwrap();
    assert_eq!(authorised.status, 200);
    assert!(authorised.body.contains("function_calls_total"));
    let probe = request_with(Method::GET, &livez, &[]).await.unwrap();
    assert_eq!(probe.status, 200);
    quickstart.interrupt();
    assert!(quickstart.wait().success());
}

#[test]
fn the_quickstart_serves_https_with_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = monitor_tests::tls::self_signed_localhost(dir.path());
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());

    let binary = quickstart::build();
    let mut quickstart = Quickstart::spawn(
        &binary,
        &[
            "--addr",
            "127.0.0.1:0",
            "--tls-cert",
            cert,
            "--tls-key",
            key,
            "--exit-after",
            "1",
        ],
    );
    let line = quickstart.wait_for_line(|line| line.trim_start().starts_with("metrics"));
    assert!(line.contains("https://127.0.0.1:"), "{line}");
    assert!(quickstart.wait().success(), "{:#?}", quickstart.printed);

    let mut missing = Quickstart::spawn(
        &binary,
        &[
            "--addr",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            key,
        ],
    );
    assert_eq!(missing.wait().code(), Some(1));
    let printed = missing.printed.join("\n");
    assert!(
        printed.contains("could not load the TLS files"),
        "{printed}"
    );
    assert!(printed.contains("/nonexistent/cert.pem"), "{printed}");

    let mut alone = Quickstart::spawn(&binary, &["--tls-cert", cert]);
    assert_eq!(alone.wait().code(), Some(2));
    assert!(alone.printed.join("\n").contains("go together"));
}
