//! The dashboard nested under a prefix: every link of the page resolves under it.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(app: &Router, path: &str) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The `href` and `src` values of a page.
fn links(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = page;
        while let Some(start) = rest.find(attribute) {
            let after = &rest[start + attribute.len()..];
            let end = after.find('"').unwrap();
            found.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    found
}

#[tokio::test]
async fn every_link_works_under_a_prefix() {
    let app: Router = Router::new().nest("/ops", monitor_runtime::router());
    let (status, page) = get(&app, "/ops/dashboard").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let links = links(&page);
    assert!(
        links.contains(&"dashboard/data.json".to_owned()),
        "{links:?}"
    );
    assert!(links.contains(&"dashboard/app.js".to_owned()), "{links:?}");
    for link in &links {
        assert!(
            !link.starts_with('/'),
            "an absolute link breaks under a prefix: {link}"
        );
        // Relative to /ops/dashboard: /ops/<link>.
        let (status, body) = get(&app, &format!("/ops/{link}")).await;
        assert_eq!(status, StatusCode::OK, "/ops/{link}: {body}");
    }
    // The script's own requests are relative too.
    let (_, script) = get(&app, "/ops/dashboard/app.js").await;
    assert!(script.contains("fetch(\"dashboard/data.json\""));
    assert!(script.contains("fetch(\"alerts\""));
    assert!(
        !script.contains("fetch(\"/"),
        "an absolute fetch breaks under a prefix"
    );
}
