//! `POST /health/{name}/run`: refused without the exporter's credentials, refused
//! to everyone when there are none, and with them a run now that respects single
//! flight: 100 concurrent calls share one run of the check.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use hyper::Method;
use monitor_runtime::health::{CheckFuture, CheckSpec, Health, HealthCheck, HealthRegistry};
use monitor_tests::http::{HttpResponse, request_with};
use monitor_tests::server::TestServer;

const TOKEN: &str = "run-now-token-0123456789";

/// How recent a result `run_now` returns instead of running the check again.
const RUN_NOW_FRESH: Duration = Duration::from_secs(1);

/// A check that counts its runs and takes a while, so that concurrent callers
/// overlap its run.
struct Counting {
    name: &'static str,
    runs: Arc<AtomicU32>,
    takes: Duration,
}

impl HealthCheck for Counting {
    fn spec(&self) -> CheckSpec {
        // A long cache: the probes would reuse a result for a minute, a run now does not.
        CheckSpec::new(self.name).cache(Duration::from_secs(60))
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move {
            let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(self.takes).await;
            Health::healthy().with_detail("run", run)
        })
    }
}

fn counting(name: &'static str, takes: Duration) -> Arc<AtomicU32> {
    let runs = Arc::new(AtomicU32::new(0));
    HealthRegistry::global()
        .register(Counting {
            name,
            runs: runs.clone(),
            takes,
        })
        .unwrap();
    runs
}

async fn post(url: &str, authorization: Option<&str>) -> HttpResponse {
    let headers: Vec<(&str, &str)> = authorization
        .map(|value| vec![("authorization", value)])
        .unwrap_or_default();
    request_with(Method::POST, url, &headers)
        .await
        .unwrap_or_else(|error| panic!("POST {url}: {error}"))
}

fn json(response: &HttpResponse) -> serde_json::Value {
    serde_json::from_str(&response.body)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", response.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_without_the_exporters_credentials() {
    let runs = counting("guarded", Duration::from_millis(1));
    let server = TestServer::start_configured(|exporter| {
        exporter.token(TOKEN).basic_auth("prometheus", "pw")
    });
    let url = server.url("/health/guarded/run");
    for authorization in [
        None,
        Some("Bearer wrong-token-0123456789abcd"),
        Some("Basic cHJvbWV0aGV1czp3cm9uZw=="),
    ] {
        let response = post(&url, authorization).await;
        assert_eq!(response.status, 401, "{authorization:?}: {}", response.body);
    }
    assert_eq!(
        runs.load(Ordering::SeqCst),
        0,
        "a refused call ran the check"
    );

    let response = post(&url, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let body = json(&response);
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["details"]["run"], "1");
    assert!(body["last_run"].is_string(), "{body}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Basic credentials of the exporter are its credentials too (after the fresh
    // window, so that this call runs the check again).
    tokio::time::sleep(RUN_NOW_FRESH + Duration::from_millis(100)).await;
    let response = post(&url, Some("Basic cHJvbWV0aGV1czpwdw==")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(json(&response)["details"]["run"], "2");

    // A GET is not a run.
    let response = request_with(
        Method::GET,
        &url,
        &[("authorization", &format!("Bearer {TOKEN}"))],
    )
    .await
    .unwrap();
    assert_eq!(response.status, 405, "{}", response.body);
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    // An unknown check is a 404 that names the checks.
    let response = post(
        &server.url("/health/nonexistent/run"),
        Some(&format!("Bearer {TOKEN}")),
    )
    .await;
    assert_eq!(response.status, 404, "{}", response.body);
    assert!(
        json(&response)["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|name| name == "guarded")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_run_the_check_once() {
    let runs = counting("shared-run", Duration::from_millis(400));
    let server = TestServer::start_configured(|exporter| exporter.token(TOKEN));
    let url = server.url("/health/shared-run/run");
    let authorization = format!("Bearer {TOKEN}");

    let calls: Vec<_> = (0..100)
        .map(|_| {
            let url = url.clone();
            let authorization = authorization.clone();
            tokio::spawn(async move { post(&url, Some(&authorization)).await })
        })
        .collect();
    let mut last_runs = std::collections::BTreeSet::new();
    for call in calls {
        let response = call.await.unwrap();
        assert_eq!(response.status, 200, "{}", response.body);
        let body = json(&response);
        assert_eq!(body["details"]["run"], "1", "{body}");
        last_runs.insert(body["last_run"].as_str().unwrap().to_owned());
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1, "100 calls, one run");
    assert_eq!(
        last_runs.len(),
        1,
        "every caller got the same run: {last_runs:?}"
    );

    // The run is the check's latest result for the probes and its metrics.
    let report = HealthRegistry::global().check("shared-run").await.unwrap();
    assert_eq!(report.health.details()["run"], "1");
    assert_eq!(
        monitor_tests::sample(
            "health_check_duration_seconds_count",
            &[("check", "shared-run")]
        ),
        Some(1.0)
    );

    // Past the fresh window, a call runs it again, once more.
    tokio::time::sleep(RUN_NOW_FRESH).await;
    let response = post(&url, Some(&authorization)).await;
    assert_eq!(json(&response)["details"]["run"], "2");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_any_credentials_nobody_may_run_a_check() {
    let checks = HealthRegistry::new();
    let runs = Arc::new(AtomicU32::new(0));
    checks
        .register(Counting {
            name: "open",
            runs: runs.clone(),
            takes: Duration::from_millis(1),
        })
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = checks.routes();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/health/open/run");

    let response = post(&url, None).await;
    assert_eq!(response.status, 403, "{}", response.body);
    assert!(
        json(&response)["error"]
            .as_str()
            .unwrap()
            .contains("credentials")
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    // With a token set on the set itself, its holders may.
    checks.set_token(Some("set-token".to_owned()));
    assert_eq!(post(&url, Some("Bearer nope")).await.status, 401);
    let response = post(&url, Some("Bearer set-token")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    server.abort();
}
