//! `MONITOR_TOKEN` sets the exporter's token; `MONITOR_HEALTH_TOKEN` protects no
//! route; a token given to `Exporter::token` wins over the environment.

use hyper::Method;
use monitor_tests::http::request_with;
use monitor_tests::server::TestServer;

async fn status(server: &TestServer, token: &str) -> u16 {
    let authorization = format!("Bearer {token}");
    request_with(
        Method::GET,
        &server.url("/metrics"),
        &[("authorization", &authorization)],
    )
    .await
    .unwrap()
    .status
    .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_token_and_the_health_token() {
    // SAFETY: the only test of this binary, before any thread reads the environment.
    unsafe {
        std::env::set_var("MONITOR_TOKEN", "from-monitor-token");
        std::env::set_var("MONITOR_HEALTH_TOKEN", "from-health-token");
    }
    let server = TestServer::start();
    assert_eq!(status(&server, "from-monitor-token").await, 200);
    assert_eq!(status(&server, "from-health-token").await, 401);
    drop(server);

    let server = TestServer::start_configured(|exporter| exporter.token("from-the-api"));
    assert_eq!(status(&server, "from-the-api").await, 200);
    assert_eq!(status(&server, "from-monitor-token").await, 401);
}
