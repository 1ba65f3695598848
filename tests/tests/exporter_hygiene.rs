//! What every answer of the exporter carries: `nosniff`, `no-store`, a content
//! security policy on the dashboard, gzip when the client accepts it, and short
//! `404`/`405` bodies that repeat at most a few dozen bytes of the request.

use std::io::Read as _;

use hyper::Method;
use monitor_tests::http::{request, request_with, send_raw};
use monitor_tests::server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_safety_headers() {
    let server = TestServer::start();
    for path in [
        "/metrics",
        "/dashboard",
        "/health",
        "/livez",
        "/readyz",
        "/nope",
    ] {
        let response = request(Method::GET, &server.url(path)).await.unwrap();
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(response.header("cache-control"), Some("no-store"), "{path}");
    }
    let dashboard = request(Method::GET, &server.url("/dashboard"))
        .await
        .unwrap();
    let policy = dashboard.header("content-security-policy").unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_gzipped_when_accepted() {
    let server = TestServer::start();
    let plain = request(Method::GET, &server.url("/metrics")).await.unwrap();
    assert_eq!(plain.header("content-encoding"), None);
    let gzipped = request_with(
        Method::GET,
        &server.url("/metrics"),
        &[("accept-encoding", "gzip")],
    )
    .await
    .unwrap();
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    assert!(gzipped.bytes.len() < plain.bytes.len());
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gzipped.bytes[..])
        .read_to_string(&mut text)
        .expect("a gzip body");
    assert!(text.contains("# TYPE monitor_exposition_renders_total counter"));
    assert!(text.contains("# TYPE monitor_registration_problems gauge"));
    // Every format is gzipped alike.
    let formats = [
        "application/openmetrics-text; version=1.0.0",
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
    ];
    for accept in formats {
        let gzipped = request_with(
            Method::GET,
            &server.url("/metrics"),
            &[("accept", accept), ("accept-encoding", "gzip")],
        )
        .await
        .unwrap();
        assert_eq!(gzipped.header("content-encoding"), Some("gzip"), "{accept}");
        let mut body = Vec::new();
        flate2::read::GzDecoder::new(&gzipped.bytes[..])
            .read_to_end(&mut body)
            .expect("a gzip body");
        if accept.starts_with("application/openmetrics-text") {
            let text = String::from_utf8(body).unwrap();
            assert!(text.ends_with("# EOF\n"), "{text}");
            assert!(text.contains("# TYPE monitor_exposition_renders counter"));
        } else {
            let families = monitor_tests::formats::protobuf_families(&body);
            assert!(
                families
                    .iter()
                    .any(|family| family.name() == "monitor_exposition_renders_total"),
                "{families:?}"
            );
        }
    }
    // The exporter's own figures are sources of the model, not collectors of the
    // prometheus registry.
    let snapshot = monitor_runtime::snapshot();
    for name in [
        "monitor_exposition_renders_total",
        "monitor_exporter_rejected_connections_total",
        "monitor_registration_problems",
    ] {
        assert_eq!(
            snapshot.family(name).map(|f| f.series.len()),
            Some(1),
            "{name}"
        );
        assert!(
            monitor_runtime::registry()
                .gather()
                .iter()
                .all(|family| family.name() != name),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_short_and_alike() {
    let server = TestServer::start();
    // A 100 KB method is past the request-head limit: refused with an empty body.
    let huge = format!(
        "{} /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "A".repeat(100_000)
    );
    let answer = send_raw(server.addr(), huge.as_bytes()).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(answer.ends_with("\r\n\r\n"), "{answer}");
    // A 20 KB method, on a framework route and on health routes.
    let long = "A".repeat(20_000);
    for path in ["/metrics", "/health/live", "/livez"] {
        let raw = format!("{long} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let answer = send_raw(server.addr(), raw.as_bytes()).await.unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with("HTTP/1.1 405"), "{path}: {head}");
        assert!(body.len() < 200, "{path}: {} bytes", body.len());
        assert!(
            body.starts_with(&format!(
                "405 method not allowed: {path} serves GET and HEAD, not AAAA"
            )),
            "{path}: {body}"
        );
    }
    let long_path = format!("/{}", "p".repeat(10_000));
    let response = request(Method::GET, &server.url(&long_path)).await.unwrap();
    assert_eq!(response.status, 404);
    assert!(response.body.len() < 200, "{} bytes", response.body.len());
    assert!(
        response.body.starts_with("404 not found: GET /ppp"),
        "{}",
        response.body
    );
}
