//! Runs checks: concurrently, each under its timeout, with panics caught, at most one
//! run of a check at a time and at most one per cache interval (single flight).

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use futures_util::FutureExt;
use tokio::sync::watch;

use super::closure::ClosureCheck;
use super::metrics::CheckMetrics;
use super::report::{CheckReport, HealthReport};
use super::types::{
    CheckFuture, CheckSpec, Component, Health, HealthCheck, HealthError, IntoHealth, Probe, Status,
    aggregate_status, check_name_error, spec_error,
};
use crate::core::{
    INITIALISERS, Initialiser, Phase, RegistrationError, SourceLocation, ignore_poison, report,
};

/// A `#[health_check]` function, collected at link time. Built by generated code.
#[doc(hidden)]
pub struct FnCheck {
    /// Name, probe, timeout and caching.
    pub spec: CheckSpec,
    /// The function.
    pub run: FnRun,
    /// Source file, for clash reports.
    pub file: &'static str,
    /// Source line, for clash reports.
    pub line: u32,
}

impl FnCheck {
    fn location(&self) -> SourceLocation {
        SourceLocation::new(self.file, self.line)
    }
}

/// How a `#[health_check]` function is called.
#[doc(hidden)]
pub enum FnRun {
    /// A synchronous function (run on tokio's blocking pool, as the synchronous part
    /// of every check is).
    Sync(fn() -> Health),
    /// An `async fn`.
    Async(fn() -> CheckFuture<'static>),
}

enum Runner {
    Instance(Box<dyn HealthCheck>),
    Static(&'static FnCheck),
}

struct Snapshot {
    health: Health,
    duration: Duration,
    finished: Instant,
    /// `None` for a check that has not run yet.
    finished_at: Option<SystemTime>,
}

impl Snapshot {
    /// A result made up by the engine rather than by a run of the check.
    fn unhealthy(reason: impl Into<String>) -> Arc<Self> {
        Arc::new(Snapshot {
            health: Health::unhealthy(reason),
            duration: Duration::ZERO,
            finished: Instant::now(),
            finished_at: Some(SystemTime::now()),
        })
    }

    /// What a background-refreshed check reports before its first run ended.
    fn not_run_yet() -> Arc<Self> {
        Arc::new(Snapshot {
            health: Health::unhealthy(NOT_RUN_YET),
            duration: Duration::ZERO,
            finished: Instant::now(),
            finished_at: None,
        })
    }
}

/// The reason of a background-refreshed check whose first run has not ended.
pub(super) const NOT_RUN_YET: &str = "not run yet: the first background run has not finished";

#[derive(Default)]
struct State {
    last: Option<Arc<Snapshot>>,
    in_flight: Option<RunWatch>,
    /// Set while a run whose synchronous part outlived its timeout still occupies a
    /// thread: the check is not started again until it returns.
    blocked_since: Option<Instant>,
    /// Alive while the background refresher runs: its task holds the `Arc`, so a
    /// task dropped with its runtime, or unwound by a panic, lets it go.
    refresher: Weak<()>,
    /// Bumped at each (re)start, so that a replaced refresher stops.
    refresher_generation: u64,
}

/// A check in a set, with its latest result and its metrics.
struct RegisteredCheck {
    spec: CheckSpec,
    runner: Runner,
    location: SourceLocation,
    state: Mutex<State>,
    metrics: CheckMetrics,
}

impl RegisteredCheck {
    fn state(&self) -> MutexGuard<'_, State> {
        // The lock guards plain data and no code panics while holding it.
        ignore_poison(self.state.lock())
    }
}

struct Inner {
    checks: RwLock<Vec<Arc<RegisteredCheck>>>,
    ready: AtomicBool,
    token: RwLock<Option<String>>,
}

/// Every set of checks, for starting their background refresh on a scrape.
static SETS: Mutex<Vec<Weak<Inner>>> = Mutex::new(Vec::new());

/// A set of health checks with their probes, results and HTTP routes.
///
/// The program-wide set behind [`health::register`](crate::health::register) and the
/// `/health` routes is [`HealthRegistry::global`]; separate sets are useful in tests
/// or to serve another group of checks on another router. The metrics of every set go
/// to the global [`registry`](crate::registry), labelled by check name: give checks
/// distinct names across sets.
///
/// ```
/// use monitor_runtime::health::{HealthRegistry, Probe, Status};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let checks = HealthRegistry::new();
/// assert_eq!(checks.report(Probe::Readiness).await.status, Status::Healthy);
/// checks.set_ready(false);
/// assert_eq!(checks.report(Probe::Readiness).await.status, Status::Unhealthy);
/// # }
/// ```
#[derive(Clone)]
pub struct HealthRegistry {
    inner: Arc<Inner>,
}

impl Default for HealthRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for HealthRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthRegistry")
            .field("checks", &self.names())
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

impl HealthRegistry {
    /// An empty set, ready, with no token.
    ///
    /// ```
    /// assert!(monitor_runtime::health::HealthRegistry::new().names().is_empty());
    /// ```
    pub fn new() -> Self {
        let inner = Arc::new(Inner {
            checks: RwLock::new(Vec::new()),
            ready: AtomicBool::new(true),
            token: RwLock::new(None),
        });
        let mut sets = ignore_poison(SETS.lock());
        sets.retain(|set| set.strong_count() > 0);
        sets.push(Arc::downgrade(&inner));
        drop(sets);
        Self { inner }
    }

    /// The program-wide set: every `#[health_check]` function, every check passed to
    /// [`health::register`](crate::health::register), served by
    /// [`router`](crate::router). Its token starts as the
    /// `MONITOR_HEALTH_TOKEN` environment variable when that is set and not empty.
    ///
    /// ```
    /// let global = monitor_runtime::health::HealthRegistry::global();
    /// assert!(global.is_ready());
    /// ```
    pub fn global() -> &'static HealthRegistry {
        // Registering the annotated functions goes through the metrics registry's
        // start-up, which needs the families registered first.
        let _ = crate::core::registry();
        global_registry()
    }

    /// Adds a check. It is run on demand by the probes, with its own timeout and
    /// cache; a check with a `refresh` interval starts its background refresh now
    /// when called inside a tokio runtime (otherwise when the routes are built, at a
    /// scrape, or at the first probe inside one).
    ///
    /// ```
    /// use monitor_runtime::health::{CheckFuture, CheckSpec, Health, HealthCheck, HealthRegistry};
    ///
    /// struct AlwaysUp;
    /// impl HealthCheck for AlwaysUp {
    ///     fn spec(&self) -> CheckSpec { CheckSpec::new("always-up") }
    ///     fn check(&self) -> CheckFuture<'_> { Box::pin(async { Health::healthy() }) }
    /// }
    ///
    /// let checks = HealthRegistry::new();
    /// checks.register(AlwaysUp).unwrap();
    /// assert!(checks.register(AlwaysUp).is_err()); // the name is taken
    /// ```
    ///
    /// # Errors
    ///
    /// [`HealthError::Duplicate`] when the name is taken, [`HealthError::InvalidName`]
    /// when it cannot be used, [`HealthError::InvalidSpec`] for a zero or absurd
    /// duration.
    #[track_caller]
    pub fn register<C: HealthCheck>(&self, check: C) -> Result<(), HealthError> {
        let check = self.add(
            check.spec(),
            Runner::Instance(Box::new(check)),
            SourceLocation::of(std::panic::Location::caller()),
        )?;
        ensure_refresher(&check);
        Ok(())
    }

    /// Adds a synchronous closure as a check: given a name, with the default
    /// options; given a [`CheckSpec`], with its options. The closure runs on tokio's
    /// blocking pool, under its timeout: one that blocks past it is reported as timed
    /// out, and is not started again until it returns.
    ///
    /// ```
    /// use std::time::Duration;
    /// use monitor_runtime::health::{CheckSpec, HealthRegistry};
    ///
    /// let checks = HealthRegistry::new();
    /// checks.register_fn("disk-writable", || std::env::temp_dir().exists()).unwrap();
    /// let spec = CheckSpec::new("lock-file").timeout(Duration::from_millis(200));
    /// checks.register_fn(spec, || std::path::Path::new("/").exists()).unwrap();
    /// assert_eq!(checks.names(), ["disk-writable", "lock-file"]);
    /// ```
    ///
    /// # Errors
    ///
    /// As [`HealthRegistry::register`].
    #[track_caller]
    pub fn register_fn<F, R>(&self, spec: impl Into<CheckSpec>, check: F) -> Result<(), HealthError>
    where
        F: Fn() -> R + Send + Sync + 'static,
        R: IntoHealth,
    {
        self.register(ClosureCheck::new(spec.into(), check))
    }

    /// Adds a `#[health_check]` function. This runs while the metrics registry
    /// initialises, so its background refresh (if any) is not started here but by
    /// the routes, a scrape or a probe.
    fn add_static(&self, site: &'static FnCheck) -> Result<(), HealthError> {
        self.add(site.spec.clone(), Runner::Static(site), site.location())
            .map(drop)
    }

    fn add(
        &self,
        spec: CheckSpec,
        runner: Runner,
        location: SourceLocation,
    ) -> Result<Arc<RegisteredCheck>, HealthError> {
        if let Some(reason) = check_name_error(&spec.name) {
            return Err(HealthError::InvalidName {
                name: spec.name.into_owned(),
                reason,
            });
        }
        if let Some(reason) = spec_error(&spec) {
            return Err(HealthError::InvalidSpec {
                name: spec.name.into_owned(),
                reason,
            });
        }
        let mut checks = ignore_poison(self.inner.checks.write());
        if let Some(first) = checks.iter().find(|check| check.spec.name == spec.name) {
            return Err(HealthError::Duplicate {
                name: spec.name.into_owned(),
                first: first.location.to_string(),
                second: location.to_string(),
            });
        }
        let metrics = CheckMetrics::new(&spec.name, spec.probe);
        let check = Arc::new(RegisteredCheck {
            spec,
            runner,
            location,
            state: Mutex::default(),
            metrics,
        });
        checks.push(check.clone());
        Ok(check)
    }

    /// Starts (or restarts) the background refresh of every check of this set that
    /// has a `refresh` interval, in the current tokio runtime; nothing outside one.
    pub(super) fn start_background(&self) {
        for check in self.checks() {
            ensure_refresher(&check);
        }
    }

    /// The names of the registered checks, in registration order.
    ///
    /// ```
    /// let checks = monitor_runtime::health::HealthRegistry::new();
    /// checks.register_fn("a", || true).unwrap();
    /// assert_eq!(checks.names(), ["a"]);
    /// ```
    pub fn names(&self) -> Vec<String> {
        self.checks()
            .iter()
            .map(|check| check.spec.name.to_string())
            .collect()
    }

    /// Marks the service ready or not ready. While not ready, the readiness probe is
    /// unhealthy whatever its checks say: set it during graceful shutdown so that
    /// load balancers stop sending traffic before the server closes.
    ///
    /// ```
    /// let checks = monitor_runtime::health::HealthRegistry::new();
    /// checks.set_ready(false);
    /// assert!(!checks.is_ready());
    /// ```
    pub fn set_ready(&self, ready: bool) {
        self.inner.ready.store(ready, Ordering::SeqCst);
    }

    /// Whether the application considers itself ready (see [`HealthRegistry::set_ready`]).
    ///
    /// ```
    /// assert!(monitor_runtime::health::HealthRegistry::new().is_ready());
    /// ```
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::SeqCst)
    }

    /// Requires `Authorization: Bearer <token>` to see reasons and details in the HTTP
    /// answers; `None` shows them to everyone. Statuses and codes are always served.
    ///
    /// ```
    /// let checks = monitor_runtime::health::HealthRegistry::new();
    /// checks.set_token(Some("s3cret".to_owned()));
    /// assert!(checks.is_authorized(Some("Bearer s3cret")));
    /// assert!(!checks.is_authorized(None));
    /// ```
    pub fn set_token(&self, token: Option<String>) {
        *ignore_poison(self.inner.token.write()) = token.filter(|t| !t.is_empty());
    }

    /// Whether a request with this `Authorization` header value may see details:
    /// always when no token is set.
    ///
    /// ```
    /// let checks = monitor_runtime::health::HealthRegistry::new();
    /// assert!(checks.is_authorized(None));
    /// ```
    pub fn is_authorized(&self, authorization: Option<&str>) -> bool {
        let token = ignore_poison(self.inner.token.read());
        let Some(token) = token.as_deref() else {
            return true;
        };
        let Some(given) = authorization.and_then(|value| value.strip_prefix("Bearer ")) else {
            return false;
        };
        constant_time_eq(given.trim().as_bytes(), token.as_bytes())
    }

    /// Whether a token is set, so that [`is_authorized`](Self::is_authorized) can
    /// refuse anyone. (The run endpoint asks; it needs the `http` feature.)
    #[cfg(feature = "http")]
    pub(super) fn has_token(&self) -> bool {
        ignore_poison(self.inner.token.read()).is_some()
    }

    fn checks(&self) -> Vec<Arc<RegisteredCheck>> {
        ignore_poison(self.inner.checks.read()).clone()
    }

    /// Runs (or reads from cache) every check of `probe` concurrently and aggregates
    /// them. A probe without checks is healthy: liveness then means "the process
    /// answers". Readiness is also unhealthy while [`set_ready(false)`](Self::set_ready).
    ///
    /// ```
    /// use monitor_runtime::health::{HealthRegistry, Probe, Status};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let checks = HealthRegistry::new();
    /// checks.register_fn("flaky", || Err::<(), _>("refused")).unwrap();
    /// let report = checks.report(Probe::Readiness).await;
    /// assert_eq!(report.status, Status::Unhealthy);
    /// assert_eq!(report.checks[0].health.reason(), Some("refused"));
    /// # }
    /// ```
    pub async fn report(&self, probe: Probe) -> HealthReport {
        self.report_filtered(Some(probe), &[]).await
    }

    /// Runs every check of every probe: the `/health` report.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let checks = monitor_runtime::health::HealthRegistry::new();
    /// checks.register_fn("ok", || true).unwrap();
    /// assert_eq!(checks.report_all().await.checks.len(), 1);
    /// # }
    /// ```
    pub async fn report_all(&self) -> HealthReport {
        self.report_filtered(None, &[]).await
    }

    /// Like [`report`](Self::report) (or [`report_all`](Self::report_all) for `None`),
    /// leaving out the checks named in `exclude`.
    ///
    /// ```
    /// use monitor_runtime::health::{HealthRegistry, Probe, Status};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let checks = HealthRegistry::new();
    /// checks.register_fn("down", || false).unwrap();
    /// let report = checks.report_filtered(Some(Probe::Readiness), &["down"]).await;
    /// assert_eq!(report.status, Status::Healthy);
    /// # }
    /// ```
    pub async fn report_filtered(&self, probe: Option<Probe>, exclude: &[&str]) -> HealthReport {
        let selected: Vec<Arc<RegisteredCheck>> = self
            .checks()
            .into_iter()
            .filter(|check| probe.is_none_or(|probe| check.spec.probe == probe))
            .filter(|check| !exclude.contains(&check.spec.name.as_ref()))
            .collect();
        let snapshots = futures_util::future::join_all(selected.iter().map(evaluate)).await;
        let checks: Vec<CheckReport> = selected
            .iter()
            .zip(snapshots)
            .map(|(check, snapshot)| check_report(check, &snapshot))
            .collect();
        let mut status = aggregate_status(
            checks
                .iter()
                .map(|check| (check.health.status(), check.critical)),
        );
        let failing: Vec<&str> = checks
            .iter()
            .filter(|check| check.health.status() != Status::Healthy)
            .map(|check| check.name.as_str())
            .collect();
        let mut reason =
            (!failing.is_empty()).then(|| format!("not healthy: {}", failing.join(", ")));
        // Read once, so that a report that is not ready always gives `NOT_READY` as
        // its reason, which the text endpoints rely on.
        let ready = self.is_ready();
        if probe == Some(Probe::Readiness) && !ready {
            status = Status::Unhealthy;
            reason = Some(NOT_READY.to_owned());
        }
        if std::ptr::eq(self, Self::global()) {
            super::derived::warn_of_unregistered();
        }
        HealthReport {
            probe,
            status,
            reason,
            ready,
            checks,
        }
    }

    /// Runs (or reads from cache) the check named `name`; `None` if there is none.
    ///
    /// ```
    /// use monitor_runtime::health::{HealthRegistry, Status};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let checks = HealthRegistry::new();
    /// checks.register_fn("ok", || true).unwrap();
    /// assert_eq!(checks.check("ok").await.unwrap().health.status(), Status::Healthy);
    /// assert!(checks.check("missing").await.is_none());
    /// # }
    /// ```
    pub async fn check(&self, name: &str) -> Option<CheckReport> {
        let check = self
            .checks()
            .into_iter()
            .find(|check| check.spec.name == name)?;
        let snapshot = evaluate(&check).await;
        Some(check_report(&check, &snapshot))
    }
}

impl HealthRegistry {
    /// Runs the check named `name` now, whatever its cache says, and returns the
    /// fresh result; `None` if there is none. Single flight still holds: a call made
    /// while a run of the check is in flight waits for that run and shares its
    /// result, and a result that finished less than one second ago counts as
    /// fresh, so callers in a storm share one run and cannot hammer a dependency
    /// more often than once a second. The run is recorded in the
    /// check's metrics and cached for the probes, as any run.
    ///
    /// `POST /health/{name}/run` calls it (see [`routes`](Self::routes)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use monitor_runtime::health::{CheckSpec, HealthRegistry, Status};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let runs = Arc::new(AtomicU32::new(0));
    /// let counted = runs.clone();
    /// let checks = HealthRegistry::new();
    /// checks
    ///     .register_fn("counted", move || counted.fetch_add(1, Ordering::SeqCst) < 100)
    ///     .unwrap();
    /// checks.check("counted").await.unwrap(); // runs it, and caches the result
    /// let fresh = checks.run_now("counted").await.unwrap(); // shares that fresh run
    /// assert_eq!(fresh.health.status(), Status::Healthy);
    /// assert_eq!(runs.load(Ordering::SeqCst), 1);
    /// assert!(checks.run_now("missing").await.is_none());
    /// # }
    /// ```
    pub async fn run_now(&self, name: &str) -> Option<CheckReport> {
        let check = self
            .checks()
            .into_iter()
            .find(|check| check.spec.name == name)?;
        let snapshot = evaluate_now(&check).await;
        Some(check_report(&check, &snapshot))
    }
}

/// How recent a result must be for [`HealthRegistry::run_now`] to return it rather
/// than run the check again: one second.
pub(crate) const RUN_NOW_FRESH: Duration = Duration::from_secs(1);

/// The reason readiness gives after `set_ready(false)`.
const NOT_READY: &str = "the application marked itself not ready";

fn global_registry() -> &'static HealthRegistry {
    static GLOBAL: std::sync::LazyLock<HealthRegistry> = std::sync::LazyLock::new(|| {
        let registry = HealthRegistry::new();
        registry.set_token(std::env::var("MONITOR_HEALTH_TOKEN").ok());
        registry
    });
    &GLOBAL
}

/// Every `#[health_check]` function in the program, collected at link time; its
/// identifier carries the crate's version so that its link section is unique (see
/// `core::INITIALISERS`).
#[doc(hidden)]
#[linkme::distributed_slice]
pub static MONITOR_RUNTIME_0_1_0_HEALTH_CHECKS: [&'static FnCheck];
#[doc(hidden)]
pub use MONITOR_RUNTIME_0_1_0_HEALTH_CHECKS as HEALTH_CHECKS;

/// Registers the metric families and every `#[health_check]` function at start-up.
#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "health",
    run: register_all,
};

fn register_all() {
    super::metrics::register_families(start_background_everywhere);
    for site in HEALTH_CHECKS {
        if let Err(error) = global_registry().add_static(site) {
            report(match error {
                HealthError::Duplicate {
                    name,
                    first,
                    second,
                } => RegistrationError::Clash {
                    metric: "health_check_status".to_owned(),
                    series: format!("check=\"{name}\""),
                    first,
                    second,
                },
                HealthError::InvalidName { reason, .. }
                | HealthError::InvalidSpec { reason, .. } => RegistrationError::Rejected {
                    location: site.location().to_string(),
                    reason,
                },
                other @ HealthError::UnknownProbe { .. } => RegistrationError::Rejected {
                    location: site.location().to_string(),
                    reason: other.to_string(),
                },
            });
        }
    }
}

fn check_report(check: &RegisteredCheck, snapshot: &Snapshot) -> CheckReport {
    CheckReport {
        name: check.spec.name.to_string(),
        probe: check.spec.probe,
        critical: check.spec.critical,
        health: snapshot.health.clone(),
        duration: snapshot.duration,
        last_run: snapshot.finished_at,
    }
}

/// Starts the background refresh of every check of every set, in the current
/// runtime (a scrape does, so that a service scraped but never probed still has
/// current `health_check_status`). Nothing here logs or touches the sources of
/// the metrics: it runs while the health families are collected.
pub(super) fn start_background_everywhere() {
    if tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let sets: Vec<Arc<Inner>> = ignore_poison(SETS.lock())
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    for inner in sets {
        HealthRegistry { inner }.start_background();
    }
}

/// Where a run in progress will publish its result.
type RunWatch = watch::Receiver<Option<Arc<Snapshot>>>;

enum Next {
    Ready(Arc<Snapshot>),
    Wait(RunWatch),
    Run(watch::Sender<Option<Arc<Snapshot>>>, RunWatch),
}

/// The latest result of `check`, running it when the cached one has expired. Only one
/// run is in flight at a time: concurrent callers share it, or get the previous result
/// at once when there is one. A background-refreshed check never makes a probe wait
/// for its first run (it reports [`NOT_RUN_YET`]), and its latest result counts as
/// current for its refresh interval plus its timeout only: past that its refresher
/// is restarted and the probe runs the check itself.
async fn evaluate(check: &Arc<RegisteredCheck>) -> Arc<Snapshot> {
    let in_runtime = tokio::runtime::Handle::try_current().is_ok();
    let background = ensure_refresher(check);
    let next = {
        let mut state = check.state();
        let current_for = match check.spec.refresh {
            Some(interval) if background => interval.saturating_add(check.spec.timeout),
            _ => check.spec.cache,
        };
        match (&state.last, &state.in_flight) {
            (Some(last), _) if last.finished.elapsed() < current_for => Next::Ready(last.clone()),
            (None, _) if background => Next::Ready(Snapshot::not_run_yet()),
            (Some(last), Some(_)) if !background => Next::Ready(last.clone()),
            (_, Some(pending)) => Next::Wait(pending.clone()),
            (_, None) => match state.blocked_since {
                Some(since) => Next::Ready(Snapshot::unhealthy(format!(
                    "the previous run has not returned after {}",
                    format_duration(since.elapsed())
                ))),
                None => {
                    let (sender, pending) = watch::channel(None);
                    state.in_flight = Some(pending.clone());
                    Next::Run(sender, pending)
                }
            },
        }
    };
    match next {
        Next::Ready(snapshot) => snapshot,
        Next::Wait(pending) => wait(pending).await,
        Next::Run(sender, pending) => {
            let run = run(check.clone(), sender);
            if in_runtime {
                // Spawned, so that a probe whose client goes away does not cancel the
                // run that other probes are waiting for.
                tokio::spawn(run);
            } else {
                run.await;
            }
            wait(pending).await
        }
    }
}

/// A run of `check` started now, unless one is in flight (its result is shared) or
/// the latest one finished less than one second ago (it is returned).
async fn evaluate_now(check: &Arc<RegisteredCheck>) -> Arc<Snapshot> {
    let in_runtime = tokio::runtime::Handle::try_current().is_ok();
    let next = {
        let mut state = check.state();
        match (&state.last, &state.in_flight) {
            (_, Some(pending)) => Next::Wait(pending.clone()),
            (Some(last), None) if last.finished.elapsed() < RUN_NOW_FRESH => {
                Next::Ready(last.clone())
            }
            (_, None) => match state.blocked_since {
                Some(since) => Next::Ready(Snapshot::unhealthy(format!(
                    "the previous run has not returned after {}",
                    format_duration(since.elapsed())
                ))),
                None => {
                    let (sender, pending) = watch::channel(None);
                    state.in_flight = Some(pending.clone());
                    Next::Run(sender, pending)
                }
            },
        }
    };
    match next {
        Next::Ready(snapshot) => snapshot,
        Next::Wait(pending) => wait(pending).await,
        Next::Run(sender, pending) => {
            let run = run(check.clone(), sender);
            if in_runtime {
                // Spawned, so that a caller that goes away does not cancel the run
                // that others wait for.
                tokio::spawn(run);
            } else {
                run.await;
            }
            wait(pending).await
        }
    }
}

async fn wait(mut run: RunWatch) -> Arc<Snapshot> {
    match run.wait_for(Option::is_some).await {
        Ok(snapshot) => snapshot.clone().expect("waited for a value"),
        Err(_) => Snapshot::unhealthy(
            "the run stopped before it finished: the tokio runtime running it shut down",
        ),
    }
}

/// Clears the in-flight marker even when the run is dropped half-way.
/// Only this run's own marker is cleared: a later run may have set a new one.
struct InFlight<'a>(&'a RegisteredCheck, RunWatch);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state();
        if state
            .in_flight
            .as_ref()
            .is_some_and(|run| run.same_channel(&self.1))
        {
            state.in_flight = None;
        }
    }
}

async fn run(check: Arc<RegisteredCheck>, sender: watch::Sender<Option<Arc<Snapshot>>>) {
    let _in_flight = InFlight(&check, sender.subscribe());
    let started = Instant::now();
    let timeout = check.spec.timeout;
    let health = run_off_workers(&check).await;
    let duration = started.elapsed();
    check.metrics.record(health.status(), duration.min(timeout));
    let snapshot = Arc::new(Snapshot {
        health,
        duration,
        finished: Instant::now(),
        finished_at: Some(SystemTime::now()),
    });
    let mut state = check.state();
    state.last = Some(snapshot.clone());
    state.in_flight = None;
    drop(state);
    sender.send_replace(Some(snapshot.clone()));
    if snapshot.health.status() == Status::Unhealthy {
        tracing::warn!(
            check = %check.spec.name,
            reason = snapshot.health.reason().unwrap_or(""),
            "monitor: health check unhealthy"
        );
    }
}

/// A run of a check, from its very start: the call of `check()` (where a derived
/// synchronous method, a `register_fn` closure or a built-in check does its work)
/// happens when the future is first polled.
type Body = Pin<Box<dyn Future<Output = Health> + Send + 'static>>;

fn body(check: Arc<RegisteredCheck>) -> Body {
    Box::pin(async move {
        match &check.runner {
            Runner::Instance(instance) => instance.check().await,
            Runner::Static(site) => match site.run {
                FnRun::Async(function) => function().await,
                FnRun::Sync(function) => function(),
            },
        }
    })
}

/// Polls a run once: a synchronous check finishes here, an asynchronous one gives
/// itself back to be finished on the async workers.
fn poll_once(mut body: Body) -> Result<Health, Body> {
    match body.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(health) => Ok(health),
        Poll::Pending => Err(body),
    }
}

/// Runs `check` under its timeout, with panics caught, without blocking an async
/// worker: the first poll of the run, where everything synchronous a check does
/// happens, is made on tokio's blocking pool; an asynchronous check is then
/// finished on the workers. A thread cannot be stopped: when the synchronous part
/// outlives the timeout the check is reported as timed out and is not started again
/// until that thread returns. Outside a tokio runtime the check runs inline, without
/// timeout.
async fn run_off_workers(check: &Arc<RegisteredCheck>) -> Health {
    let timeout = check.spec.timeout;
    let body = body(check.clone());
    if tokio::runtime::Handle::try_current().is_err() {
        return AssertUnwindSafe(body)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| panicked(&*panic));
    }
    if let Some(reason) = timers_missing() {
        return Health::unhealthy(reason);
    }
    let deadline = Instant::now() + timeout;
    let mut first = tokio::task::spawn_blocking(move || poll_once(body));
    let rest = match tokio::time::timeout_at(deadline, &mut first).await {
        Ok(Ok(Ok(health))) => return health,
        Ok(Ok(Err(rest))) => rest,
        Ok(Err(join)) => return join_failure(join),
        Err(_) => {
            check.state().blocked_since = Some(Instant::now());
            let check = Arc::downgrade(check);
            tokio::spawn(async move {
                let _ = first.await;
                if let Some(check) = check.upgrade() {
                    check.state().blocked_since = None;
                }
            });
            return timed_out(timeout);
        }
    };
    match tokio::time::timeout_at(deadline, AssertUnwindSafe(rest).catch_unwind()).await {
        Ok(Ok(health)) => health,
        Ok(Err(panic)) => panicked(&*panic),
        Err(_) => timed_out(timeout),
    }
}

fn join_failure(join: tokio::task::JoinError) -> Health {
    match join.try_into_panic() {
        Ok(panic) => panicked(&*panic),
        Err(_) => Health::unhealthy(
            "the run stopped before it finished: the tokio runtime running it shut down",
        ),
    }
}

/// Why checks cannot be timed in the current runtime: `None` when its time driver is
/// on. tokio panics when a timer is created on a runtime built without it.
fn timers_missing() -> Option<&'static str> {
    let probe = std::panic::catch_unwind(|| drop(tokio::time::sleep(Duration::ZERO)));
    probe.is_err().then_some(NO_TIME_DRIVER)
}

/// The reason of a check run on a tokio runtime without the time driver.
pub(super) const NO_TIME_DRIVER: &str = "the tokio runtime running this check has no time driver, so its timeout \
     cannot be enforced: build the runtime with `enable_time()` (or `enable_all()`), as \
     `#[tokio::main]` does";

/// Runs `check` under `timeout`, turning a timeout or a panic into an unhealthy result.
/// Outside a tokio runtime there is no timer: the check runs to completion.
pub(super) async fn guarded(check: impl Future<Output = Health>, timeout: Duration) -> Health {
    let check = AssertUnwindSafe(check).catch_unwind();
    let outcome = if tokio::runtime::Handle::try_current().is_ok() {
        if let Some(reason) = timers_missing() {
            return Health::unhealthy(reason);
        }
        match tokio::time::timeout(timeout, check).await {
            Ok(outcome) => outcome,
            Err(_) => return timed_out(timeout),
        }
    } else {
        check.await
    };
    outcome.unwrap_or_else(|panic| panicked(&*panic))
}

fn timed_out(timeout: Duration) -> Health {
    Health::unhealthy(format!("timed out after {}", format_duration(timeout)))
}

fn panicked(panic: &(dyn Any + Send)) -> Health {
    let message = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text payload".to_owned());
    Health::unhealthy(format!("panicked: {message}"))
}

/// Makes sure the background refresher of `check` runs, when it has a `refresh`
/// interval: (re)started in the current runtime when it is not running (never
/// started, its runtime shut down, or unwound by a panic) or has not delivered a
/// result for longer than its interval plus its timeout. Returns whether a
/// refresher runs.
fn ensure_refresher(check: &Arc<RegisteredCheck>) -> bool {
    let Some(interval) = check.spec.refresh else {
        return false;
    };
    let mut state = check.state();
    let alive = state.refresher.strong_count() > 0;
    let late =
        state.last.as_ref().is_some_and(|last| {
            last.finished.elapsed() > interval.saturating_add(check.spec.timeout)
        }) && state.in_flight.is_none()
            && state.blocked_since.is_none();
    if alive && !late {
        return true;
    }
    if tokio::runtime::Handle::try_current().is_err() || timers_missing().is_some() {
        return alive;
    }
    let token = Arc::new(());
    state.refresher = Arc::downgrade(&token);
    state.refresher_generation += 1;
    let generation = state.refresher_generation;
    drop(state);
    tokio::spawn(refresh(Arc::downgrade(check), interval, generation, token));
    true
}

/// The background refresher of one check: runs it every `interval` until the check
/// is dropped or another refresher replaces this one.
async fn refresh(
    check: Weak<RegisteredCheck>,
    interval: Duration,
    generation: u64,
    _alive: Arc<()>,
) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(check) = check.upgrade() else { return };
        let start = {
            let mut state = check.state();
            if state.refresher_generation != generation {
                return;
            }
            if state.in_flight.is_some() || state.blocked_since.is_some() {
                None
            } else {
                let (sender, pending) = watch::channel(None);
                state.in_flight = Some(pending);
                Some(sender)
            }
        };
        if let Some(sender) = start {
            run(check, sender).await;
        }
    }
}

/// Runs the parts of a composite check concurrently, each under its own timeout and
/// the same panic guard as a check: a part whose `spec()` or `check()` panics is an
/// unhealthy part, not a panicked composite. A part whose synchronous work outlived
/// its timeout (it cannot be interrupted) is reported as timed out.
pub(super) async fn run_parts(parts: Vec<(String, bool, &dyn HealthCheck)>) -> Health {
    let components = futures_util::future::join_all(parts.into_iter().map(
        |(name, critical, check)| async move {
            let started = Instant::now();
            let spec = std::panic::catch_unwind(AssertUnwindSafe(|| check.spec()));
            let health = match spec {
                Err(panic) => panicked(&*panic),
                Ok(spec) => match spec_error(&spec) {
                    Some(reason) => Health::unhealthy(reason),
                    None => {
                        let health = guarded(async { check.check().await }, spec.timeout).await;
                        if started.elapsed() > spec.timeout {
                            timed_out(spec.timeout)
                        } else {
                            health
                        }
                    }
                },
            };
            let mut component = Component::new(name, critical, health);
            component.duration = started.elapsed();
            component
        },
    ))
    .await;
    Health::aggregate(components)
}

/// `500ms`, `2s`, `1.5s`: short and exact enough for a reason text.
pub(super) fn format_duration(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{}ms", duration.as_millis())
    } else if duration.subsec_millis() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{:.3}s", duration.as_secs_f64())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
