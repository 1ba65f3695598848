//! The ready-made check of a connection pool: acquire a connection within a timeout.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::engine::format_duration;
use super::types::{CheckFuture, CheckSpec, Health, HealthCheck};

type Acquire = Box<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync + 'static,
>;

/// A health check that acquires a connection from a pool and gives it back: healthy
/// when one is handed out within the acquire timeout, unhealthy when the pool fails
/// or is exhausted past it ("no connection within 250ms"). Any pool fits, through a
/// closure that acquires and drops a connection; [`PoolCheck::sqlx`] (feature
/// `sqlx`) does it for an sqlx pool.
///
/// The check's own timeout ([`CheckSpec::timeout`]) is set a little above the
/// acquire timeout, so that an exhausted pool is reported as such rather than as a
/// timed-out check.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::health::{HealthRegistry, PoolCheck, Status};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// // A pool of one connection, here a semaphore with one permit, which is taken.
/// let pool = std::sync::Arc::new(tokio::sync::Semaphore::new(1));
/// let taken = pool.clone().try_acquire_owned().unwrap();
/// let check = PoolCheck::new("pool", Duration::from_millis(50), move || {
///     let pool = pool.clone();
///     async move { pool.acquire().await.map(drop).map_err(|error| error.to_string()) }
/// });
/// let checks = HealthRegistry::new();
/// checks.register(check).unwrap();
/// let report = checks.check("pool").await.unwrap();
/// assert_eq!(report.health.status(), Status::Unhealthy);
/// assert_eq!(report.health.reason(), Some("pool exhausted: no connection within 50ms"));
/// drop(taken);
/// # }
/// ```
pub struct PoolCheck {
    spec: CheckSpec,
    acquire_timeout: Duration,
    acquire: Acquire,
}

impl fmt::Debug for PoolCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolCheck")
            .field("spec", &self.spec)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish_non_exhaustive()
    }
}

impl PoolCheck {
    /// A critical readiness check named `name` that calls `acquire` (which should
    /// take a connection and give it back) and waits `acquire_timeout` at most.
    ///
    /// ```
    /// use std::time::Duration;
    /// let check = monitor_runtime::health::PoolCheck::new("cache-pool", Duration::from_secs(1), || async {
    ///     Ok::<(), std::io::Error>(())
    /// });
    /// # let _ = check;
    /// ```
    pub fn new<F, Fut, E>(name: impl Into<String>, acquire_timeout: Duration, acquire: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display,
    {
        let spec = CheckSpec::new(name.into())
            .timeout(
                acquire_timeout
                    .saturating_add((acquire_timeout / 2).max(Duration::from_millis(50))),
            )
            .cache(Duration::ZERO);
        Self {
            spec,
            acquire_timeout,
            acquire: Box::new(move || {
                let acquired = acquire();
                Box::pin(async move { acquired.await.map_err(|error| error.to_string()) })
            }),
        }
    }

    /// The check of an sqlx pool of any database (feature `sqlx`): `pool.acquire()`
    /// within `acquire_timeout`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # fn check<DB: sqlx::Database>(pool: sqlx::Pool<DB>) {
    /// let check = monitor_runtime::health::PoolCheck::sqlx("database", pool, Duration::from_millis(500));
    /// monitor_runtime::health::register(check).unwrap();
    /// # }
    /// ```
    #[cfg(feature = "sqlx")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sqlx")))]
    pub fn sqlx<DB: sqlx::Database>(
        name: impl Into<String>,
        pool: sqlx::Pool<DB>,
        acquire_timeout: Duration,
    ) -> Self {
        Self::new(name, acquire_timeout, move || {
            let pool = pool.clone();
            async move { pool.acquire().await.map(drop) }
        })
    }

    /// Changes the rest of the check's options (probe, criticality, caching); its
    /// timeout stays above the acquire timeout.
    ///
    /// ```
    /// use std::time::Duration;
    /// use monitor_runtime::health::{PoolCheck, Probe};
    /// let check = PoolCheck::new("db", Duration::from_millis(100), || async { Ok::<(), String>(()) })
    ///     .with_spec(|spec| spec.critical(false).probe(Probe::Startup));
    /// # let _ = check;
    /// ```
    pub fn with_spec(mut self, change: impl FnOnce(CheckSpec) -> CheckSpec) -> Self {
        let timeout = self.spec.timeout;
        self.spec = change(self.spec).timeout(timeout);
        self
    }
}

impl HealthCheck for PoolCheck {
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn check(&self) -> CheckFuture<'_> {
        let acquired = (self.acquire)();
        let timeout = self.acquire_timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, acquired).await {
                Ok(Ok(())) => Health::healthy(),
                Ok(Err(error)) => {
                    Health::unhealthy(format!("cannot acquire a connection: {error}"))
                }
                Err(_) => Health::unhealthy(format!(
                    "pool exhausted: no connection within {}",
                    format_duration(timeout)
                ))
                .with_detail("acquire_timeout_seconds", timeout.as_secs_f64()),
            }
        })
    }
}
