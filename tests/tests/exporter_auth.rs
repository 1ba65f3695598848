//! Authentication of the exporter: the matrix of credentials on `/metrics`, the
//! probe statuses public by default (and protected on request), health details only
//! for authenticated callers, and a layer of the application's own.

use hyper::Method;
use monitor_runtime::health::HealthRegistry;
use monitor_tests::http::{HttpResponse, request_with};
use monitor_tests::server::TestServer;

const TOKEN: &str = "s3cret-token-0123456789";

async fn get(server: &TestServer, path: &str, authorization: Option<&str>) -> HttpResponse {
    let headers: Vec<(&str, &str)> = authorization
        .map(|value| vec![("authorization", value)])
        .unwrap_or_default();
    request_with(Method::GET, &server.url(path), &headers)
        .await
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// `base64("prometheus:pass word")`.
const BASIC: &str = "cHJvbWV0aGV1czpwYXNzIHdvcmQ=";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_matrix_on_protected_routes() {
    HealthRegistry::global()
        .register_fn("payments", || Err::<(), _>("payments API unreachable"))
        .unwrap();
    let server = TestServer::start_configured(|exporter| {
        exporter.token(TOKEN).basic_auth("prometheus", "pass word")
    });
    let wrong_same_length = format!("Bearer {}", "x".repeat(TOKEN.len()));
    let cases: [(&str, Option<String>, u16); 10] = [
        ("no credentials", None, 401),
        ("wrong token", Some(wrong_same_length), 401),
        ("shorter token", Some("Bearer s3cret".to_owned()), 401),
        ("longer token", Some(format!("Bearer {TOKEN}{TOKEN}")), 401),
        ("another scheme", Some(format!("Token {TOKEN}")), 401),
        ("right token", Some(format!("Bearer {TOKEN}")), 200),
        ("lower-case scheme", Some(format!("bearer {TOKEN}")), 200),
        ("basic auth", Some(format!("Basic {BASIC}")), 200),
        ("lower-case basic", Some(format!("basic {BASIC}")), 200),
        (
            "wrong basic password",
            Some("Basic cHJvbWV0aGV1czpwYXNz".to_owned()),
            401,
        ),
    ];
    for path in ["/metrics", "/dashboard", "/health", "/health/payments"] {
        for (case, authorization, expected) in &cases {
            let response = get(&server, path, authorization.as_deref()).await;
            // The health answers are 503 once through: a readiness check fails.
            let status = if response.status == 503 {
                200
            } else {
                response.status.as_u16()
            };
            assert_eq!(status, *expected, "{path}, {case}: {}", response.body);
            if *expected == 401 {
                assert_eq!(response.body, "401 unauthorized: unauthorized\n");
                assert!(
                    response
                        .header("www-authenticate")
                        .is_some_and(|challenge| challenge.starts_with("Bearer")),
                    "{path}, {case}: {:?}",
                    response.headers
                );
            }
        }
    }
    // Unknown paths are protected too: nothing is learnt without credentials.
    assert_eq!(get(&server, "/nope", None).await.status, 401);
    assert_eq!(
        get(&server, "/nope", Some(&format!("Bearer {TOKEN}")))
            .await
            .status,
        404
    );

    // Probe statuses are public, without reasons; authenticated callers see them.
    for path in ["/livez", "/health/live", "/health/startup"] {
        assert_eq!(get(&server, path, None).await.status, 200, "{path}");
    }
    for path in ["/readyz", "/health/ready"] {
        assert_eq!(get(&server, path, None).await.status, 503, "{path}");
    }
    let anonymous = get(&server, "/readyz?verbose", None).await;
    assert!(
        anonymous
            .body
            .contains("[-]payments failed: reason withheld"),
        "{}",
        anonymous.body
    );
    let wrong = get(&server, "/readyz?verbose", Some("Bearer wrong")).await;
    assert!(wrong.body.contains("reason withheld"), "{}", wrong.body);
    for authorization in [format!("Bearer {TOKEN}"), format!("Basic {BASIC}")] {
        let detailed = get(&server, "/readyz?verbose", Some(&authorization)).await;
        assert!(
            detailed
                .body
                .contains("[-]payments failed: payments API unreachable"),
            "{authorization}: {}",
            detailed.body
        );
    }
    let json = get(&server, "/health/ready", None).await.body;
    assert_eq!(json, r#"{"status":"unhealthy"}"#);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_can_be_protected_too() {
    let server =
        TestServer::start_configured(|exporter| exporter.token(TOKEN).protect_probes(true));
    for path in ["/livez", "/health/live", "/health/startup"] {
        assert_eq!(get(&server, path, None).await.status, 401, "{path}");
        assert_eq!(
            get(&server, path, Some(&format!("Bearer {TOKEN}")))
                .await
                .status,
            200,
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_everything_is_open_and_layers_apply() {
    let server = TestServer::start_configured(|exporter| {
        exporter.layer(axum::middleware::map_response(
            |mut response: axum::response::Response| async move {
                response
                    .headers_mut()
                    .insert("x-served-by", "application-layer".parse().unwrap());
                response
            },
        ))
    });
    for path in ["/metrics", "/dashboard", "/health", "/livez"] {
        let response = get(&server, path, None).await;
        assert_ne!(response.status, 401, "{path}");
        assert_eq!(response.header("x-served-by"), Some("application-layer"));
    }
    let unauthenticated = get(&server, "/nope", None).await;
    assert_eq!(unauthenticated.status, 404);
    assert_eq!(
        unauthenticated.header("x-served-by"),
        Some("application-layer")
    );
    // A registry of the application's own is not affected by the exporter.
    assert!(HealthRegistry::new().is_authorized(None));
}
