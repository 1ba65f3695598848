//! How checks run: timeouts, panics, single flight under a probe storm, serving the
//! previous result while a check is slow, background refresh, and behaviour outside a
//! tokio runtime.

mod health_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use health_common::Server;
use monitor_runtime::health::{
    CheckFuture, CheckSpec, Health, HealthCheck, HealthRegistry, Probe, Status,
};

/// A check that counts its runs and how many are in progress at once, sleeping
/// `delay` each time.
struct Counted {
    spec: CheckSpec,
    delay: Duration,
    runs: Arc<AtomicUsize>,
    running: Arc<AtomicUsize>,
    max_running: Arc<AtomicUsize>,
}

impl Counted {
    fn new(spec: CheckSpec, delay: Duration) -> Self {
        Self {
            spec,
            delay,
            runs: Arc::default(),
            running: Arc::default(),
            max_running: Arc::default(),
        }
    }
}

impl HealthCheck for Counted {
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move {
            let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_running.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(self.delay).await;
            self.running.fetch_sub(1, Ordering::SeqCst);
            Health::healthy().with_detail("run", run)
        })
    }
}

struct Sleeper;

impl HealthCheck for Sleeper {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("sleeper").timeout(Duration::from_millis(100))
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Health::healthy()
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_check_past_its_timeout_is_unhealthy_with_the_reason() {
    let checks = HealthRegistry::new();
    checks.register(Sleeper).unwrap();
    checks.register_fn("quick", || true).unwrap();

    let report = checks.report(Probe::Readiness).await;
    assert_eq!(report.status, Status::Unhealthy);
    let sleeper = report.checks.iter().find(|c| c.name == "sleeper").unwrap();
    assert_eq!(sleeper.health.status(), Status::Unhealthy);
    assert_eq!(sleeper.health.reason(), Some("timed out after 100ms"));
    let quick = report.checks.iter().find(|c| c.name == "quick").unwrap();
    assert_eq!(quick.health.status(), Status::Healthy);
}

struct Panicking;

impl HealthCheck for Panicking {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("panicking").cache(Duration::ZERO)
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async { panic!("connection pool poisoned") })
    }
}

#[tokio::test]
async fn a_panicking_check_is_unhealthy_and_the_server_keeps_serving() {
    let checks = HealthRegistry::new();
    checks.register(Panicking).unwrap();
    checks
        .register_fn("sync-panic", || -> bool { panic!("bad state") })
        .unwrap();
    let server = Server::start(checks.routes()).await;

    for _ in 0..3 {
        let reply = server.get("/health/ready").await;
        assert_eq!(reply.status, 503);
        let json = reply.json();
        assert_eq!(
            json["checks"]["panicking"]["reason"],
            "panicked: connection pool poisoned"
        );
        assert_eq!(
            json["checks"]["sync-panic"]["reason"],
            "panicked: bad state"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_concurrent_probes_run_the_check_once() {
    let check = Counted::new(
        CheckSpec::new("database").cache(Duration::from_secs(3600)),
        Duration::from_millis(200),
    );
    let runs = check.runs.clone();
    let checks = HealthRegistry::new();
    checks.register(check).unwrap();
    let server = Server::start(checks.routes()).await;
    let addr = server.addr;

    let paths = ["/health/ready", "/readyz", "/health", "/health/database"];
    let probes: Vec<_> = (0..1000)
        .map(|index| {
            let path = paths[index % paths.len()];
            tokio::spawn(async move { health_common::get(addr, path, None).await })
        })
        .collect();
    for probe in probes {
        let reply = probe.await.unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Within the cache interval, later probes are answered from the same run.
    let reply = server.get("/health/database").await;
    assert_eq!(reply.json()["details"]["run"], "1");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_check_never_runs_twice_at_once() {
    let check = Counted::new(
        CheckSpec::new("slow").cache(Duration::ZERO),
        Duration::from_millis(20),
    );
    let (runs, max_running) = (check.runs.clone(), check.max_running.clone());
    let checks = HealthRegistry::new();
    checks.register(check).unwrap();

    let probes: Vec<_> = (0..200)
        .map(|_| {
            let checks = checks.clone();
            tokio::spawn(async move { checks.report(Probe::Readiness).await.status })
        })
        .collect();
    for probe in probes {
        assert_eq!(probe.await.unwrap(), Status::Healthy);
    }
    assert!(runs.load(Ordering::SeqCst) >= 1);
    assert_eq!(max_running.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn probes_get_the_previous_result_while_a_run_is_in_progress() {
    let check = Counted::new(
        CheckSpec::new("slow").cache(Duration::from_millis(10)),
        Duration::from_millis(300),
    );
    let runs = check.runs.clone();
    let checks = HealthRegistry::new();
    checks.register(check).unwrap();

    // The very first probe has nothing to show and waits for the run.
    let first = checks.check("slow").await.unwrap();
    assert_eq!(first.health.details()["run"], "1");

    tokio::time::sleep(Duration::from_millis(50)).await; // the result expires
    let refreshing = tokio::spawn({
        let checks = checks.clone();
        async move { checks.check("slow").await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(50)).await; // run 2 is in progress
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    let meanwhile = checks.check("slow").await.unwrap();
    assert_eq!(meanwhile.health.details()["run"], "1");
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    let refreshed = refreshing.await.unwrap();
    assert_eq!(refreshed.health.details()["run"], "2");
}

#[tokio::test(start_paused = true)]
async fn refresh_runs_the_check_in_the_background() {
    let check = Counted::new(
        CheckSpec::new("refreshed").refresh(Duration::from_millis(100)),
        Duration::from_millis(1),
    );
    let runs = check.runs.clone();
    let checks = HealthRegistry::new();
    checks.register(check).unwrap();

    checks.report(Probe::Readiness).await;
    let after_first_probe = runs.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let later = runs.load(Ordering::SeqCst);
    assert!(
        later >= after_first_probe + 5,
        "{after_first_probe} then {later}"
    );
    // Probes read the latest result without running the check themselves.
    let report = checks.check("refreshed").await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), later);
    assert_eq!(report.health.details()["run"], later.to_string());
}

/// Drives a future to completion without any runtime, as another executor would.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}

struct NeedsTokio;

impl HealthCheck for NeedsTokio {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("needs-tokio")
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            Health::healthy()
        })
    }
}

#[test]
fn outside_a_runtime_checks_run_inline_and_nothing_panics() {
    let checks = HealthRegistry::new();
    checks.register_fn("plain", || Ok::<_, String>(())).unwrap();
    checks.register(NeedsTokio).unwrap();
    checks.set_ready(false);

    let report = block_on(checks.report(Probe::Readiness));
    assert_eq!(report.status, Status::Unhealthy);
    let plain = report.checks.iter().find(|c| c.name == "plain").unwrap();
    assert_eq!(plain.health.status(), Status::Healthy);
    let tokio_check = report
        .checks
        .iter()
        .find(|c| c.name == "needs-tokio")
        .unwrap();
    assert_eq!(tokio_check.health.status(), Status::Unhealthy);
    assert!(
        tokio_check
            .health
            .reason()
            .unwrap()
            .starts_with("panicked: "),
        "{:?}",
        tokio_check.health.reason()
    );
}

#[test]
fn names_are_validated_and_unique() {
    let checks = HealthRegistry::new();
    checks.register_fn("db", || true).unwrap();
    let duplicate = checks.register_fn("db", || true).unwrap_err().to_string();
    assert!(
        duplicate.starts_with("two health checks are named `db`"),
        "{duplicate}"
    );
    for bad in ["", "two words", "live", "ready", "startup", "a/b"] {
        assert!(checks.register_fn(bad, || true).is_err(), "{bad:?}");
    }
    assert_eq!(checks.names(), ["db"]);
}
