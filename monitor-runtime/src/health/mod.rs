//! Health checks: liveness, readiness and startup probes with JSON and
//! Kubernetes-style endpoints.
//!
//! Three ways to declare a check:
//!
#![cfg_attr(feature = "http", doc = "```no_run")]
#![cfg_attr(not(feature = "http"), doc = "```")]
//! use monitor_runtime::health::{self, Health};
//! use monitor_runtime::{HealthCheck, health_check};
//!
//! // 1. A function (sync or async, no arguments), registered at start-up.
//! #[health_check(name = "database", readiness, timeout = "500ms", cache = "2s")]
//! async fn database() -> Result<(), std::io::Error> {
//!     Ok(()) // e.g. `pool.ping().await`
//! }
//!
//! // 2. A stateful check: the logic is a method; register an instance at run time
//! //    (a derived type no value of which is ever registered is reported, logged or
//! //    printed to stderr, after the first health report: it would run in no probe).
//! #[derive(HealthCheck)]
//! #[health(name = "queue", check = depth_ok, critical = false)]
//! struct Queue { limit: usize }
//!
//! impl Queue {
//!     fn depth_ok(&self) -> Health {
//!         let depth = 3; // e.g. read from the broker
//!         if depth < self.limit { Health::healthy() } else { Health::degraded(format!("{depth} queued")) }
//!     }
//! }
//!
//! // 3. A composite: its fields are checks, its JSON result is a tree.
//! #[derive(HealthCheck)]
//! #[health(name = "dependencies")]
//! struct Dependencies {
//!     queue: Queue,
//!     #[health(critical = false, name = "backup-queue")]
//!     backup: Queue,
//!     #[health(skip)]
//!     region: String,
//! }
//!
//! #[tokio::main]
#![cfg_attr(
    feature = "http",
    doc = "async fn main() -> Result<(), monitor_runtime::ServeError> {"
)]
#![cfg_attr(not(feature = "http"), doc = "async fn main() {")]
//!     health::register(Dependencies {
//!         queue: Queue { limit: 100 },
//!         backup: Queue { limit: 10 },
//!         region: "eu".into(),
//!     })
//!     .expect("unique check names");
#![cfg_attr(
    feature = "http",
    doc = r#"    // /health, /health/ready, /readyz?verbose, ... are served next to /metrics.
    monitor_runtime::serve("127.0.0.1:9898").await
}"#
)]
#![cfg_attr(
    not(feature = "http"),
    doc = r#"    // Without the `http` feature, read the reports and serve them yourself.
    let report = health::HealthRegistry::global().report(health::Probe::Readiness).await;
    assert_eq!(report.status, health::Status::Healthy);
}"#
)]
//! ```
//!
//! ## Options
//!
//! Of `#[health_check(...)]` and of `#[health(...)]` on a derived struct:
//!
//! | option | meaning | default |
//! |---|---|---|
//! | `name = "..."` | name in reports, metrics and `/health/{name}`: letters, digits, `_`, `-`, `.` | a function's name, qualified by its module (see below); a struct's name in snake_case |
//! | `liveness`, `readiness`, `startup` (or `probe = "..."`) | the probe it belongs to | `readiness` |
//! | `critical`, `critical = false` | a failing non-critical check only degrades its probe | `true` |
//! | `timeout = "500ms"` | longer runs count as unhealthy | `"5s"` |
//! | `cache = "2s"` | a result is reused this long | `"1s"` |
//! | `refresh = "10s"` | re-run in the background; probes always read the latest result | off |
//! | `check = method` | (derive only) the method holding the logic | composite |
//!
//! On a field of a composite: `#[health(name = "...")]`, `#[health(critical = false)]`
//! and `#[health(skip)]` for a field that is not a check.
//!
//! Without `name = "..."`, a `#[health_check]` function is named after itself,
//! prefixed by its module path below the crate root, with `.` between the segments:
//! `fn ping` is `ping` at the crate root, `db.ping` in `mod db` and `db.replica.ping`
//! in `mod db { mod replica { … } }`, so that two `fn ping` in two modules are two
//! checks rather than a clash. A derived struct is named after the struct in
//! snake_case (`struct PrimaryDb` is `primary_db`), without its module.
//!
//! A check returns `bool`, `Result<T, E>` with `E: Display` (the error is the reason)
//! or [`Health`] (status, reason, details).
//!
//! ## How checks run
//!
//! - The checks of a probe run concurrently, each under its own timeout. A timed-out
//!   or panicking check is `Unhealthy` with the reason (`timed out after 100ms`,
//!   `panicked: ...`); the server keeps serving.
//! - A check never runs twice at once, and at most once per cache interval however
//!   many probes arrive: concurrent probes share one run.
//! - A result is reused for the `cache` interval. The first probe after it expires
//!   starts a run and waits for it (at most the timeout); probes arriving while that
//!   run is in progress are answered at once with the previous result.
//! - With `refresh`, runs happen in the background and no probe waits, not even the
//!   first: a check whose first run has not finished is reported `Unhealthy` with
//!   the reason `not run yet: ...` and no `last_run` (so a probe never passes on a
//!   check nobody ran). Refreshing starts when the check is registered inside a tokio
//!   runtime, when the routes are built ([`crate::router`], [`crate::serve`]), at a scrape of
//!   `/metrics`, or at the first probe, whichever comes first, so a service that is
//!   scraped but never probed still has current `health_check_status`. A refresher
//!   that stopped (its runtime shut down, a panic) is started again by the next of
//!   those, and a background result is current for the refresh interval plus the
//!   timeout only: an older one is never served, the probe runs the check itself.
//! - Every check's synchronous work runs on tokio's blocking pool, never on an async
//!   worker: a synchronous `#[health_check]` function, a `register_fn` closure, a
//!   synchronous `check = method` of a derived check, the built-in checks, and the
//!   synchronous part of any check (what `check()` does before its first `.await`).
//!   Its timeout is enforced: one that blocks past it is reported as timed out and
//!   is not started again until the thread returns. The parts of a composite run
//!   under the same panic guard and timeouts as checks.
//! - Durations are checked at registration as the attributes check them: a zero
//!   timeout or refresh interval, or any duration past about 584 years, is refused
//!   ([`HealthError::InvalidSpec`]).
//! - Status aggregation: a failing critical check makes its probe `Unhealthy` (HTTP
//!   503); a failing non-critical check makes it `Degraded` (HTTP 200). A probe without
//!   checks is healthy: liveness then means "the process answers".
//! - [`set_ready(false)`](set_ready) makes readiness fail whatever the checks say, for
//!   graceful shutdown.
//! - Outside a tokio runtime (for example [`HealthRegistry::report`] driven by another
//!   executor) nothing panics: checks run inline on the caller, without timeout, and
//!   background refresh does not start. Timeouts need a runtime with timers enabled,
//!   as `#[tokio::main]` provides: on a runtime without the time driver a check is
//!   reported unhealthy with a reason that says so.
//!
//! ## Endpoints
//!
//! With the `http` feature, the health endpoints are part of [`crate::router`] and
//! [`crate::serve`]. Without it, checks run and are measured the same, and
//! [`HealthRegistry::report`] gives their results.
//!
//! `/health` answers a JSON tree (overall status, and every check's status, reason,
//! duration and last run), `/health/live`, `/health/ready` and `/health/startup` the
//! same for one probe, `/health/{name}` one check, and `/livez` and `/readyz` answer
//! in the Kubernetes style (`?verbose`, `?exclude=name`). Once a token is set (the
//! exporter's credentials, or [`HealthRegistry::set_token`] on [`HealthRegistry::global`] for [`crate::router`] in a server of your own),
//! reasons and details are shown only to callers that send it.
//!
//! ## Ready-made checks
//!
//! [`builtin::DiskSpace`] and [`builtin::Memory`] (feature `system`) and
//! [`PoolCheck`] (a connection pool answering in time) are registered like any
//! derived check, with [`register`].
//!
//! ## Metrics
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `health_check_status` | gauge | `check`, `probe`, `status` | 1 for the status the check is in (`healthy`, `degraded`, `unhealthy`), 0 for the others |
//! | `health_check_duration_seconds` | histogram | `check`, `probe` | duration of each run |
//! | `health_check_failures_total` | counter | `check`, `probe` | runs that ended unhealthy, including timeouts and panics |
//!
//! Alert on `health_check_status{status="unhealthy"} == 1`.

#[cfg(feature = "system")]
mod builtin_checks;
mod closure;
mod derived;
mod engine;
#[cfg(feature = "http")]
pub(crate) mod http;
mod metrics;
mod pool_check;
mod report;
mod types;

pub use engine::HealthRegistry;
pub use pool_check::PoolCheck;
pub use report::{CheckReport, HealthReport};
pub use types::{
    CheckFuture, CheckSpec, Component, Health, HealthCheck, HealthError, IntoHealth, Probe, Status,
};

/// Opt-in checks of the machine: free disk space and memory use. Needs the `system`
/// feature.
#[cfg(feature = "system")]
#[cfg_attr(docsrs, doc(cfg(feature = "system")))]
pub mod builtin {
    pub use super::builtin_checks::{DiskSpace, Memory};
}

/// Registers a check in the program-wide set served by [`crate::router`].
///
/// ```
/// use monitor_runtime::health::{self, CheckFuture, CheckSpec, Health, HealthCheck};
///
/// struct Cache;
/// impl HealthCheck for Cache {
///     fn spec(&self) -> CheckSpec { CheckSpec::new("doc-cache").critical(false) }
///     fn check(&self) -> CheckFuture<'_> { Box::pin(async { Health::healthy() }) }
/// }
///
/// health::register(Cache).unwrap();
/// ```
///
/// # Errors
///
/// [`HealthError::Duplicate`] when the name is taken, [`HealthError::InvalidName`]
/// when it cannot be used, [`HealthError::InvalidSpec`] for a zero or absurd
/// duration.
#[track_caller]
pub fn register<C: HealthCheck>(check: C) -> Result<(), HealthError> {
    HealthRegistry::global().register(check)
}

/// Marks the service ready or not ready (see [`HealthRegistry::set_ready`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use monitor_runtime::health::{self, HealthRegistry, Probe, Status};
///
/// health::set_ready(false); // e.g. on SIGTERM, before draining connections
/// assert_eq!(HealthRegistry::global().report(Probe::Readiness).await.status, Status::Unhealthy);
/// health::set_ready(true);
/// # }
/// ```
pub fn set_ready(ready: bool) {
    HealthRegistry::global().set_ready(ready);
}

/// The program-wide health endpoints (see [`HealthRegistry::routes`]), which
/// [`crate::router`] includes.
#[cfg(feature = "http")]
pub(crate) fn routes() -> axum::Router {
    HealthRegistry::global().routes()
}

/// What generated code needs; reached through `monitor_runtime::__private`.
pub(crate) mod private {
    use std::cell::Cell;
    use std::future::Future;

    pub use super::derived::{
        DERIVED_CHECKS, DerivedCheck, DerivedType, MarkDerived, MarkOther, PartMark,
    };
    pub use super::engine::{FnCheck, FnRun, HEALTH_CHECKS};
    pub use super::types::{CheckFuture, CheckSpec, Health, HealthCheck, IntoHealth, Probe};

    /// Used by generated composite checks.
    pub fn run_parts<'a>(parts: Vec<(&'static str, bool, &'a dyn HealthCheck)>) -> CheckFuture<'a> {
        Box::pin(super::engine::run_parts(
            parts
                .into_iter()
                .map(|(name, critical, check)| (name.to_owned(), critical, check))
                .collect(),
        ))
    }

    /// A check's spec, every field at once, in a `const` context.
    pub const fn check_spec(
        name: &'static str,
        probe: Probe,
        critical: bool,
        timeout: std::time::Duration,
        cache: std::time::Duration,
        refresh: Option<std::time::Duration>,
    ) -> CheckSpec {
        CheckSpec::from_parts(name, probe, critical, timeout, cache, refresh)
    }

    /// Converts what a check function returned; spanned on its return type so that an
    /// unsupported type is reported there.
    #[inline]
    pub fn into_health<T: IntoHealth>(value: T) -> Health {
        value.into_health()
    }

    /// A composite's field as a check; spanned on the field's type so that a field that
    /// is not a check is reported there.
    #[inline]
    pub fn as_check<C: HealthCheck>(check: &C) -> &dyn HealthCheck {
        check
    }

    /// Holds what a check method returned, for autoref dispatch between a future and a
    /// plain value (the derive cannot see whether the method is `async`).
    pub struct Resolve<T>(Cell<Option<T>>);

    impl<T> Resolve<T> {
        /// Wraps a returned value.
        #[inline]
        pub fn new(value: T) -> Self {
            Self(Cell::new(Some(value)))
        }

        fn take(&self) -> T {
            self.0.take().expect("resolved once")
        }
    }

    /// The method returned a future: await it.
    pub trait ViaFuture<'a> {
        /// The check's result, as a future.
        fn __monitor_resolve(&self) -> CheckFuture<'a>;
    }

    impl<'a, F> ViaFuture<'a> for &Resolve<F>
    where
        F: Future + Send + 'a,
        F::Output: IntoHealth,
    {
        #[inline]
        fn __monitor_resolve(&self) -> CheckFuture<'a> {
            let future = self.take();
            Box::pin(async move { future.await.into_health() })
        }
    }

    /// The method returned a value (or something that is not a check result, which
    /// is then reported by the bound on the method rather than as a missing method).
    pub trait ViaValue<'a> {
        /// What the method returned.
        type Value;
        /// The check's result, as a ready future.
        fn __monitor_resolve(&self) -> CheckFuture<'a>
        where
            Self::Value: IntoHealth;
    }

    impl<'a, T> ViaValue<'a> for Resolve<T> {
        type Value = T;
        #[inline]
        fn __monitor_resolve(&self) -> CheckFuture<'a>
        where
            T: IntoHealth,
        {
            Box::pin(std::future::ready(self.take().into_health()))
        }
    }
}
