//! Health checks keep telling the truth: durations are checked at registration; a
//! background-refreshed check answers its first probe at once, saying it has not run
//! yet; synchronous checks run off the async workers with their timeout enforced; a
//! refresher whose runtime shut down is restarted and its out-of-date result is not
//! served; a runtime without the time driver gets a clear reason; a composite's
//! parts run under the same panic guard as checks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use monitor_runtime::HealthCheck;
use monitor_runtime::health::{
    CheckFuture, CheckSpec, Health, HealthError, HealthRegistry, Probe, Status,
};

/// Counts its runs and reports the run's number.
struct Counting {
    spec: CheckSpec,
    runs: Arc<AtomicUsize>,
}

impl Counting {
    fn new(spec: CheckSpec) -> Self {
        Self {
            spec,
            runs: Arc::default(),
        }
    }
}

impl monitor_runtime::health::HealthCheck for Counting {
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move {
            let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::task::yield_now().await;
            Health::healthy().with_detail("run", run)
        })
    }
}

/// Waits (on the current runtime) until `done` holds, failing after a generous bound
/// rather than hanging.
async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let waiting = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .unwrap_or_else(|_| panic!("gave up waiting: {what}"));
}

#[test]
fn zero_and_absurd_durations_are_refused_at_registration() {
    let checks = HealthRegistry::new();
    let refused = [
        CheckSpec::new("zero-timeout").timeout(Duration::ZERO),
        CheckSpec::new("zero-refresh").refresh(Duration::ZERO),
        CheckSpec::new("endless-timeout").timeout(Duration::MAX),
        CheckSpec::new("endless-cache").cache(Duration::MAX),
        CheckSpec::new("endless-refresh").refresh(Duration::from_secs(u64::MAX)),
    ];
    for spec in refused {
        let name = spec.name.to_string();
        let error = checks.register_fn(spec, || true).unwrap_err();
        assert!(
            matches!(&error, HealthError::InvalidSpec { name: refused, .. } if *refused == name),
            "{name}: {error:?}"
        );
        let text = error.to_string();
        assert!(text.contains(&name), "{text}");
        assert!(
            text.contains("is zero") || text.contains("too long"),
            "{text}"
        );
    }
    // A zero cache is fine: the check runs at every probe.
    checks
        .register_fn(CheckSpec::new("uncached").cache(Duration::ZERO), || true)
        .unwrap();
    assert_eq!(checks.names(), ["uncached"]);
}

/// Never finishes within the test.
struct NeverDone;

impl monitor_runtime::health::HealthCheck for NeverDone {
    fn spec(&self) -> CheckSpec {
        CheckSpec::new("slow-start")
            .refresh(Duration::from_secs(3600))
            .timeout(Duration::from_secs(7200))
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async {
            std::future::pending::<()>().await;
            Health::healthy()
        })
    }
}

#[tokio::test]
async fn the_first_probe_of_a_refreshed_check_says_at_once_that_it_has_not_run() {
    let checks = HealthRegistry::new();
    checks.register(NeverDone).unwrap();
    let probe = async {
        let report = checks.check("slow-start").await.unwrap();
        let readiness = checks.report(Probe::Readiness).await;
        (report, readiness)
    };
    let (report, readiness) = tokio::time::timeout(Duration::from_secs(30), probe)
        .await
        .expect("the probe did not wait for the first run");
    assert_eq!(report.health.status(), Status::Unhealthy);
    assert!(
        report.health.reason().unwrap().starts_with("not run yet"),
        "{:?}",
        report.health
    );
    assert_eq!(report.last_run, None, "no run has finished");
    assert_eq!(readiness.status, Status::Unhealthy);
}

#[tokio::test(flavor = "current_thread")]
async fn a_blocking_register_fn_closure_past_its_timeout_is_reported_as_timed_out() {
    let (release, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let checks = HealthRegistry::new();
    let spec = CheckSpec::new("blocking-closure")
        .timeout(Duration::from_millis(100))
        .cache(Duration::ZERO);
    checks
        .register_fn(spec, move || {
            let _ = gate.lock().unwrap().recv_timeout(Duration::from_secs(60));
            true
        })
        .unwrap();

    // On this single-threaded runtime the timeout can only fire if the closure does
    // not run on the worker.
    let report = checks.check("blocking-closure").await.unwrap();
    assert_eq!(report.health.status(), Status::Unhealthy);
    assert_eq!(report.health.reason(), Some("timed out after 100ms"));
    // Still blocked: not started again, and said so.
    let again = checks.check("blocking-closure").await.unwrap();
    assert!(
        again
            .health
            .reason()
            .unwrap()
            .starts_with("the previous run has not returned"),
        "{:?}",
        again.health
    );
    release.send(()).unwrap();
}

/// A stateful check whose method is synchronous and blocks.
#[derive(HealthCheck)]
#[health(name = "blocking-method", check = wait, timeout = "100ms")]
struct BlockingMethod {
    #[allow(dead_code)]
    gate: Mutex<mpsc::Receiver<()>>,
}

impl BlockingMethod {
    fn wait(&self) -> bool {
        let _ = self
            .gate
            .lock()
            .unwrap()
            .recv_timeout(Duration::from_secs(60));
        true
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_blocking_synchronous_derived_method_is_timed_out_too() {
    let (release, gate) = mpsc::channel::<()>();
    let checks = HealthRegistry::new();
    checks
        .register(BlockingMethod {
            gate: Mutex::new(gate),
        })
        .unwrap();
    let report = checks.check("blocking-method").await.unwrap();
    assert_eq!(report.health.reason(), Some("timed out after 100ms"));
    release.send(()).unwrap();
}

#[test]
fn a_refresher_whose_runtime_shut_down_is_restarted_and_its_old_result_not_served() {
    let check = Counting::new(
        CheckSpec::new("orphaned")
            .refresh(Duration::from_millis(50))
            .timeout(Duration::from_secs(1)),
    );
    let runs = check.runs.clone();
    let checks = HealthRegistry::new();
    let first = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    first.block_on(async {
        // Registered inside a runtime: refreshed from now on, without any probe.
        checks.register(check).unwrap();
        wait_until("a first background run", || {
            runs.load(Ordering::SeqCst) >= 1
        })
        .await;
    });
    drop(first);
    let before = runs.load(Ordering::SeqCst);
    // Past the refresh interval plus the timeout: the last result is out of date.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        runs.load(Ordering::SeqCst),
        before,
        "its runtime is gone, so is its refresher"
    );

    let second = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    second.block_on(async {
        let report = checks.check("orphaned").await.unwrap();
        assert_eq!(
            report.health.status(),
            Status::Healthy,
            "{:?}",
            report.health
        );
        let run: usize = report.health.details()["run"].parse().unwrap();
        assert!(
            run > before,
            "the result of run {before} is out of date and must not be served (got run {run})"
        );
        wait_until("the restarted refresher runs on its own", || {
            runs.load(Ordering::SeqCst) >= run + 2
        })
        .await;
    });
}

#[test]
fn a_runtime_without_the_time_driver_gets_a_clear_reason() {
    let checks = HealthRegistry::new();
    checks.register_fn("untimed", || true).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let report = runtime.block_on(checks.report(Probe::Readiness));
    let reason = report.checks[0]
        .health
        .reason()
        .unwrap_or_default()
        .to_owned();
    assert!(
        reason.contains("no time driver") && reason.contains("enable_time"),
        "{reason}"
    );
}

/// A part whose `spec()` panics.
struct BadSpec;

impl monitor_runtime::health::HealthCheck for BadSpec {
    fn spec(&self) -> CheckSpec {
        panic!("no spec for this part")
    }

    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async { Health::healthy() })
    }
}

#[derive(HealthCheck)]
#[health(check = fine)]
struct FinePart;

impl FinePart {
    fn fine(&self) -> bool {
        true
    }
}

#[derive(HealthCheck)]
#[health(name = "composite-with-a-bad-part")]
struct WithABadPart {
    good: FinePart,
    #[health(critical = false)]
    bad: BadSpec,
}

#[tokio::test]
async fn a_composite_part_that_panics_fails_alone() {
    let checks = HealthRegistry::new();
    checks
        .register(WithABadPart {
            good: FinePart,
            bad: BadSpec,
        })
        .unwrap();
    let report = checks.check("composite-with-a-bad-part").await.unwrap();
    assert_eq!(
        report.health.status(),
        Status::Degraded,
        "{:?}",
        report.health
    );
    let parts = report.health.components();
    let good = parts.iter().find(|part| part.name == "good").unwrap();
    assert_eq!(good.health.status(), Status::Healthy);
    let bad = parts.iter().find(|part| part.name == "bad").unwrap();
    assert_eq!(bad.health.reason(), Some("panicked: no spec for this part"));
}
