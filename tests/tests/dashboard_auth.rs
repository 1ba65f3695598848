//! Who sees what on the dashboard: with the exporter's token, every dashboard path needs
//! it and an authenticated viewer sees health reasons; with only a health token, the
//! page is public and reasons are shown to its holder alone.

mod dashboard_common;

use hyper::Method;
use monitor_tests::http::request_with;
use monitor_tests::server::TestServer;
use serde_json::Value;

async fn get(server: &TestServer, path: &str, authorization: Option<&str>) -> (u16, String) {
    let headers: Vec<(&str, &str)> = authorization
        .map(|value| vec![("authorization", value)])
        .unwrap_or_default();
    let response = request_with(Method::GET, &server.url(path), &headers)
        .await
        .expect("the exporter answers");
    (response.status.as_u16(), response.body)
}

fn cache_reason(body: &str) -> Value {
    let data: Value = serde_json::from_str(body).expect("JSON");
    data["health"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|check| check["name"] == "dash-cache")
        .expect("the cache check")["reason"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reasons_only_for_the_authorised() {
    // Only a health token: the dashboard is public, reasons are the token holder's.
    monitor_runtime::health::HealthRegistry::global().set_token(Some("health-secret".to_owned()));
    let server = dashboard_common::start();
    let (status, body) = get(&server, "/dashboard/data.json", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(cache_reason(&body), Value::Null, "{body}");
    let (_, page) = get(&server, "/dashboard", None).await;
    assert!(page.contains("hidden: not authorised"), "{page}");
    assert!(!page.contains("refused the connection"));
    let (_, body) = get(
        &server,
        "/dashboard/data.json",
        Some("Bearer health-secret"),
    )
    .await;
    assert!(
        cache_reason(&body).as_str().unwrap().contains("refused"),
        "{body}"
    );
    drop(server);

    // The exporter's token: every dashboard path needs it, and it shows the reasons.
    let server = TestServer::start_configured(|exporter| exporter.token("s3cret"));
    for path in [
        "/dashboard",
        "/dashboard/data.json",
        "/dashboard/app.js",
        "/dashboard/grafana.json",
    ] {
        let (status, _) = get(&server, path, None).await;
        assert_eq!(status, 401, "{path}");
        let (status, body) = get(&server, path, Some("Bearer s3cret")).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let (_, body) = get(&server, "/dashboard/data.json", Some("Bearer s3cret")).await;
    assert!(
        cache_reason(&body).as_str().unwrap().contains("refused"),
        "{body}"
    );
}
