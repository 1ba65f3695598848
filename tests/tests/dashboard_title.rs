//! The dashboard and the generated Grafana dashboards are titled with the service
//! they show (the process' identity), not with the library's name.

use monitor_runtime::identity::{self, Identity};
use monitor_tests::server::TestServer;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_are_titled_with_the_service() {
    identity::configure(Identity::new("storefront<b>"));
    let server = TestServer::start();
    let page = monitor_tests::http::get(&server.url("/dashboard"))
        .await
        .unwrap();
    assert!(
        page.body
            .contains("<title>storefront&lt;b&gt; · monitor</title>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<h1>storefront&lt;b&gt;</h1>"),
        "{}",
        page.body
    );
    let grafana = monitor_tests::http::get(&server.url("/dashboard/grafana.json"))
        .await
        .unwrap();
    let dashboards: Vec<Value> = serde_json::from_str(&grafana.body).unwrap();
    assert!(!dashboards.is_empty());
    for dashboard in &dashboards {
        let title = dashboard["title"].as_str().unwrap();
        assert!(title.starts_with("storefront<b>"), "{title}");
        let uid = dashboard["uid"].as_str().unwrap();
        assert!(uid.starts_with("storefront"), "{uid}");
    }
}
