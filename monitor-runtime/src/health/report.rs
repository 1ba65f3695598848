//! Results of a probe or a check.

use std::time::{Duration, SystemTime};

use super::types::{Health, Probe, Status};

/// The result of one registered check, as the endpoints report it.
///
/// ```
/// use monitor_runtime::health::{HealthRegistry, Probe};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let checks = HealthRegistry::new();
/// checks.register_fn("ok", || true).unwrap();
/// let report = checks.check("ok").await.unwrap();
/// assert_eq!((report.name.as_str(), report.probe, report.critical), ("ok", Probe::Readiness, true));
/// assert!(report.last_run.is_some());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CheckReport {
    /// The check's name.
    pub name: String,
    /// Its probe.
    pub probe: Probe,
    /// Whether its failure fails the probe.
    pub critical: bool,
    /// Its latest result (for a background-refreshed check whose first run has not
    /// finished: `Unhealthy`, "not run yet: ...").
    pub health: Health,
    /// How long that run took.
    pub duration: Duration,
    /// When that run finished; `None` when no run has finished yet.
    pub last_run: Option<SystemTime>,
}

/// The aggregated result of a probe (or of every check, for `/health`).
///
/// ```
/// use monitor_runtime::health::{HealthRegistry, Probe, Status};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let report = HealthRegistry::new().report(Probe::Liveness).await;
/// assert_eq!(report.status, Status::Healthy); // no liveness check: the process answers
/// assert!(report.checks.is_empty());
/// # #[cfg(feature = "http")]
/// assert!(report.to_json(true)["checks"].is_object());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HealthReport {
    /// The probe, or `None` for every check.
    pub probe: Option<Probe>,
    /// The aggregated status.
    pub status: Status,
    /// Why it is not healthy.
    pub reason: Option<String>,
    /// Whether the application considers itself ready.
    pub ready: bool,
    /// Every check that was evaluated.
    pub checks: Vec<CheckReport>,
}
