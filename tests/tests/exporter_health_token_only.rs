//! `MONITOR_HEALTH_TOKEN` alone keeps its earlier meaning: it hides health reasons,
//! and every route of the exporter stays reachable without credentials.

use monitor_runtime::health;
use monitor_tests::http;
use monitor_tests::server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_token_protects_no_route() {
    // SAFETY: the only test of this binary, before any thread reads the environment.
    unsafe { std::env::set_var("MONITOR_HEALTH_TOKEN", "health-only") };
    health::HealthRegistry::global()
        .register_fn("flaky", || health::Health::unhealthy("flaky is down"))
        .unwrap();
    let server = TestServer::start();

    for path in ["/metrics", "/dashboard", "/livez", "/readyz"] {
        let answer = http::get(&server.url(path)).await.unwrap();
        assert_ne!(answer.status, 401, "{path} needs no credentials");
    }
    let metrics = http::get(&server.url("/metrics")).await.unwrap();
    assert_eq!(metrics.status, 200);

    let hidden = http::get(&server.url("/health/flaky")).await.unwrap();
    assert_eq!(hidden.status, 503);
    assert!(!hidden.body.contains("flaky is down"), "{}", hidden.body);
}
