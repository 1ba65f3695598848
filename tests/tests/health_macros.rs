//! `#[health_check]` functions are registered at start-up from the link-time slice,
//! served by `monitor_runtime::router()`, and measured on `/metrics`.

mod health_common;

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use health_common::Server;
use monitor_runtime::health::{self, Health, HealthRegistry, Probe, Status};
use monitor_runtime::health_check;
use monitor_tests::{find, parse_samples, promtool};

#[health_check(name = "always", liveness)]
fn always_up() -> bool {
    true
}

#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection refused")
    }
}

#[health_check(timeout = "100ms", cache = "1ms")]
async fn database() -> Result<(), Refused> {
    tokio::task::yield_now().await;
    Err(Refused)
}

#[health_check(liveness, critical = false, name = "warm-cache")]
fn warm_cache() -> Health {
    Health::degraded("cache is cold")
}

/// Whether the stuck check may return, and its wake-up.
static UNSTUCK: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// A synchronous check stuck until the test that times it out is done, however long
/// that takes on a loaded machine (bounded, so that nothing blocks for good), and
/// never healthy.
#[health_check(probe = "startup", timeout = "50ms", cache = "1ms")]
fn stuck() -> Result<u32, String> {
    let (unstuck, wake) = &UNSTUCK;
    let unstuck = unstuck.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = wake
        .wait_timeout_while(unstuck, Duration::from_secs(60), |unstuck| !*unstuck)
        .unwrap_or_else(PoisonError::into_inner);
    Err("released".to_owned())
}

/// Lets the stuck check return when dropped (at the end of its test, passed or not).
struct Unstick;

impl Drop for Unstick {
    fn drop(&mut self) {
        let (unstuck, wake) = &UNSTUCK;
        *unstuck.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
    }
}

#[tokio::test]
async fn functions_are_registered_at_start_up_with_their_options() {
    monitor_runtime::init().expect("no registration errors");
    let names = HealthRegistry::global().names();
    for name in ["always", "database", "warm-cache", "stuck"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let server = Server::start(monitor_runtime::router()).await;

    let always = server.get("/health/always").await;
    assert_eq!(always.status, 200);
    let always = always.json();
    assert_eq!(always["probe"], "liveness");
    assert_eq!(always["critical"], true);

    let database = server.get("/health/database").await;
    assert_eq!(database.status, 503);
    let database = database.json();
    assert_eq!(database["probe"], "readiness");
    assert_eq!(database["reason"], "connection refused");

    let live = server.get("/health/live").await;
    assert_eq!(live.status, 200);
    let live = live.json();
    assert_eq!(live["status"], "degraded");
    assert_eq!(live["checks"]["warm-cache"]["reason"], "cache is cold");
    assert_eq!(live["checks"]["warm-cache"]["critical"], false);

    let livez = server.get("/livez?verbose").await;
    assert!(livez.body.contains("[+]always ok\n"), "{}", livez.body);
    assert!(
        livez
            .body
            .contains("[+]warm-cache degraded: cache is cold\n")
    );
    assert_eq!(server.get("/readyz").await.status, 503);

    let metrics = server.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    let samples = parse_samples(&metrics.body);
    let status = |check: &str, status: &str| {
        find(
            &samples,
            "health_check_status",
            &[("check", check), ("probe", "readiness"), ("status", status)],
        )
    };
    assert_eq!(status("database", "unhealthy"), Some(1.0));
    assert_eq!(status("database", "healthy"), Some(0.0));
    assert!(
        find(
            &samples,
            "health_check_failures_total",
            &[("check", "database"), ("probe", "readiness")]
        )
        .unwrap()
            >= 1.0
    );
    assert!(
        find(
            &samples,
            "health_check_duration_seconds_count",
            &[("check", "always"), ("probe", "liveness")]
        )
        .unwrap()
            >= 1.0
    );
    // Registered at start-up: the startup check is exposed whether or not the other
    // test of this binary has run it yet, and it has never been healthy.
    assert_eq!(
        find(
            &samples,
            "health_check_status",
            &[
                ("check", "stuck"),
                ("probe", "startup"),
                ("status", "healthy")
            ]
        ),
        Some(0.0)
    );
    let findings = promtool::check_metrics(&metrics.body);
    assert!(findings.is_empty(), "promtool: {findings:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_stuck_synchronous_check_is_not_started_again_until_it_returns() {
    let _unstick = Unstick;
    let first = health::HealthRegistry::global()
        .report(Probe::Startup)
        .await;
    assert_eq!(first.status, Status::Unhealthy);
    assert_eq!(
        first.checks[0].health.reason(),
        Some("timed out after 50ms")
    );
    tokio::time::sleep(Duration::from_millis(20)).await; // the cached result expires
    let second = health::HealthRegistry::global()
        .report(Probe::Startup)
        .await;
    let reason = second.checks[0].health.reason().unwrap();
    assert!(
        reason.starts_with("the previous run has not returned after"),
        "{reason}"
    );
}
