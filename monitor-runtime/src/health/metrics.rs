//! The metrics of every registered check, produced in the model (`core::model`):
//! one source for every check of every set, each check's series created at zero
//! when it is registered and kept for the life of the process.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use super::types::{Probe, Status};
use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{Claim, DurationHistogram, Source, add_source, ignore_poison, report};

const STATUS: &str = "health_check_status";
const STATUS_HELP: &str =
    "Current status of each health check: 1 for the status it is in, 0 for the others.";
const DURATION: &str = "health_check_duration_seconds";
const DURATION_HELP: &str =
    "Duration of health check runs, in seconds (a timed-out run counts its timeout).";
const FAILURES: &str = "health_check_failures_total";
const FAILURES_HELP: &str = "Health check runs that ended unhealthy, timed out or panicked.";

const CLAIMS: [Claim; 3] = [
    Claim::new(STATUS, Kind::Gauge, STATUS_HELP),
    Claim::new(DURATION, Kind::Histogram, DURATION_HELP),
    Claim::new(FAILURES, Kind::Counter, FAILURES_HELP),
];

/// The bounds of `health_check_duration_seconds`: the usual default buckets of
/// Prometheus clients, from 5 ms to 10 s.
static DURATION_BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The statuses in the order of their `status` label values (sorted).
const STATUSES: [Status; 3] = [Status::Degraded, Status::Healthy, Status::Unhealthy];

/// `CheckCells::status` before the first run: every status gauge at 0.
const NO_STATUS: u8 = u8::MAX;

/// The figures of one check (name and probe); shared by every set that registers a
/// check of that name and probe, as their series are.
struct CheckCells {
    /// `check` and `probe`.
    labels: Labels,
    /// The same with each `status`, in the order of [`STATUSES`].
    status_labels: [Labels; 3],
    /// The index in [`STATUSES`] of the latest run's status, or [`NO_STATUS`].
    status: AtomicU8,
    duration: DurationHistogram,
    failures: AtomicU64,
}

/// Every check registered so far, by name and probe: the source of the health
/// families.
struct HealthFamilies(Mutex<BTreeMap<(String, &'static str), Arc<CheckCells>>>);

static CHECKS: HealthFamilies = HealthFamilies(Mutex::new(BTreeMap::new()));

/// What runs before the health families are read: the engine's start of every
/// background refresh, given to [`register_families`].
static BEFORE_COLLECT: OnceLock<fn()> = OnceLock::new();

impl Source for HealthFamilies {
    /// Before reading, makes sure the background refresh of every refreshed check
    /// runs in the collecting runtime, so that a service scraped but never probed
    /// still shows current statuses.
    fn collect(&self, out: &mut Vec<Family>) {
        if let Some(before_collect) = BEFORE_COLLECT.get() {
            before_collect();
        }
        let checks = ignore_poison(self.0.lock());
        let mut status = Family::new(STATUS, STATUS_HELP, Kind::Gauge);
        status.series.reserve(3 * checks.len());
        let mut duration = Family::new(DURATION, DURATION_HELP, Kind::Histogram);
        duration.series.reserve(checks.len());
        let mut failures = Family::new(FAILURES, FAILURES_HELP, Kind::Counter);
        failures.series.reserve(checks.len());
        for cells in checks.values() {
            let current = usize::from(cells.status.load(Ordering::Relaxed));
            for (at, labels) in cells.status_labels.iter().enumerate() {
                let value = if at == current { 1.0 } else { 0.0 };
                status.push(labels.clone(), Value::Gauge(value));
            }
            duration.push(cells.labels.clone(), cells.duration.value());
            failures.push(
                cells.labels.clone(),
                Value::counter(cells.failures.load(Ordering::Relaxed) as f64),
            );
        }
        out.extend([status, duration, failures]);
    }
}

/// Adds the source of the health families, which runs `before_collect` before each
/// read; called once while the global registry initialises (so it must not call
/// [`crate::registry`]).
pub(super) fn register_families(before_collect: fn()) {
    let _ = BEFORE_COLLECT.set(before_collect);
    if let Err(conflict) = add_source(
        &CHECKS,
        &CLAIMS,
        "the health check metrics",
        "the start-up of monitor_runtime::health",
    ) {
        report(conflict.into_error("monitor_runtime::health"));
    }
}

/// The series of one check, created at zero when it is registered.
pub(super) struct CheckMetrics(Arc<CheckCells>);

impl CheckMetrics {
    pub(super) fn new(check: &str, probe: Probe) -> Self {
        let probe = probe.as_str();
        let mut checks = ignore_poison(CHECKS.0.lock());
        let cells = checks.entry((check.to_owned(), probe)).or_insert_with(|| {
            let labels = Labels::new([("check", check.to_owned()), ("probe", probe.to_owned())]);
            Arc::new(CheckCells {
                status_labels: STATUSES.map(|status| labels.with("status", status.as_str())),
                labels,
                status: AtomicU8::new(NO_STATUS),
                duration: DurationHistogram::new(&DURATION_BOUNDS),
                failures: AtomicU64::new(0),
            })
        });
        Self(cells.clone())
    }

    /// Records a run that ended `status` after `duration` (its timeout, for a run
    /// that timed out).
    pub(super) fn record(&self, status: Status, duration: Duration) {
        let at = match status {
            Status::Degraded => 0,
            Status::Healthy => 1,
            Status::Unhealthy => 2,
        };
        self.0.status.store(at, Ordering::Relaxed);
        self.0.duration.observe(duration);
        if status == Status::Unhealthy {
            self.0.failures.fetch_add(1, Ordering::Relaxed);
        }
    }
}
