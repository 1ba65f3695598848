//! A watched sqlx pool on SQLite in a temporary file: its metrics follow
//! acquisitions and releases exactly, pass promtool, and its health check fails
//! while the pool is exhausted past the acquire timeout.

use std::time::Duration;

use monitor_runtime::health::{HealthRegistry, PoolCheck, Status};
use monitor_runtime::pool;
use monitor_tests::{promtool, sample, tools, wait};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

const POOL: &str = "sqlite-test";

/// The pool's own acquire timeout: what the acquisition that times out waits, and
/// the time the waiting acquisition below has to be handed its connection (between
/// the test seeing it pending and the release, on a loaded machine).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

fn connections(state: &str) -> f64 {
    sample("db_client_connections", &[("pool", POOL), ("state", state)]).unwrap_or(-1.0)
}

fn counter(name: &str) -> f64 {
    sample(name, &[("pool", POOL)]).unwrap_or(-1.0)
}

/// Waits (bounded) until the pool's idle and used connections are as expected:
/// sqlx gives a released connection back to the pool on a task of its own.
async fn settle(idle: f64, used: f64) {
    let seen = wait::until_async(
        || async { (connections("idle"), connections("used")) },
        |seen| *seen == (idle, used),
    )
    .await;
    assert_eq!(
        seen,
        (idle, used),
        "expected (idle, used); the exposition says otherwise"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_metrics_follow_acquisitions_and_releases() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("shop.db"))
        .create_if_missing(true);
    // Lazy: no connection is opened before the first acquisition.
    let sqlite = SqlitePoolOptions::new()
        .max_connections(3)
        .min_connections(0)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_lazy_with(options);
    let watched = pool::watch(POOL, sqlite.clone()).unwrap();

    assert_eq!(counter("db_client_connections_max"), 3.0);
    settle(0.0, 0.0).await;

    // Three acquisitions on an empty pool: each waits for a new connection.
    let mut first = watched.acquire().await.unwrap();
    sqlx::query("CREATE TABLE items (id INTEGER PRIMARY KEY)")
        .execute(&mut *first)
        .await
        .unwrap();
    let second = watched.acquire().await.unwrap();
    let third = watched.acquire().await.unwrap();
    settle(0.0, 3.0).await;
    assert_eq!(counter("db_client_connection_waits_total"), 3.0);

    // A release makes one idle; the next acquisition takes it without waiting.
    drop(first);
    settle(1.0, 2.0).await;
    let fourth = watched.acquire().await.unwrap();
    settle(0.0, 3.0).await;
    assert_eq!(counter("db_client_connection_waits_total"), 3.0);

    // The pool is exhausted: the health check fails past its timeout.
    let checks = HealthRegistry::new();
    checks
        .register(PoolCheck::sqlx(
            "sqlite",
            sqlite.clone(),
            Duration::from_millis(100),
        ))
        .unwrap();
    let report = checks.check("sqlite").await.unwrap();
    assert_eq!(report.health.status(), Status::Unhealthy);
    assert_eq!(
        report.health.reason(),
        Some("pool exhausted: no connection within 100ms")
    );

    // So does an acquisition of ours, at the pool's own timeout: a wait and a timeout.
    let error = watched.acquire().await.unwrap_err();
    assert!(matches!(error, sqlx::Error::PoolTimedOut), "{error}");
    assert_eq!(counter("db_client_connection_waits_total"), 4.0);
    assert_eq!(counter("db_client_connection_timeouts_total"), 1.0);

    // A waiting acquisition is pending until a release hands it a connection.
    let waiting = {
        let watched = watched.clone();
        tokio::spawn(async move { watched.acquire().await })
    };
    let pending = wait::until_async(
        || async { counter("db_client_connection_pending_requests") },
        |pending| *pending == 1.0,
    )
    .await;
    assert_eq!(pending, 1.0);
    drop(second);
    let fifth = waiting.await.unwrap().unwrap();
    assert_eq!(counter("db_client_connection_pending_requests"), 0.0);
    assert_eq!(counter("db_client_connection_waits_total"), 5.0);
    settle(0.0, 3.0).await;

    // Every acquisition was timed, the failed one too.
    assert_eq!(counter("db_client_connection_wait_time_seconds_count"), 6.0);

    // Released, the pool is healthy again. The check gives itself 100 ms to acquire
    // a connection, which a loaded machine may miss: it is asked again until the
    // deadline.
    drop((third, fourth, fifth));
    settle(3.0, 0.0).await;
    let report = wait::until_async(
        || async { checks.check("sqlite").await.unwrap() },
        |report| report.health.status() == Status::Healthy,
    )
    .await;
    assert_eq!(
        report.health.status(),
        Status::Healthy,
        "{:?}",
        report.health
    );

    // The names pass the real linter.
    if tools::require("promtool") {
        let exposition = monitor_runtime::render_metrics().unwrap();
        assert!(exposition.contains("db_client_connection_wait_time_seconds_bucket"));
        assert_eq!(promtool::check_metrics(&exposition), Vec::<String>::new());
    }

    // A pool is watched once per name, and unwatched with its last handle.
    assert!(matches!(
        pool::watch(POOL, sqlite.clone()),
        Err(monitor_runtime::WatchError::Duplicate { .. })
    ));
    drop(watched);
    assert!(sample("db_client_connections", &[("pool", POOL)]).is_none());
    assert!(sample("db_client_connection_waits_total", &[("pool", POOL)]).is_none());
    sqlite.close().await;
}
