//! The metrics of every registered check, in the global registry.

use std::sync::OnceLock;

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{
    GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts,
};

use super::types::{Probe, Status};
use crate::core::{raw_registry, report};

struct Families {
    status: StatusFamily,
    duration: HistogramVec,
    failures: IntCounterVec,
}

static FAMILIES: OnceLock<Families> = OnceLock::new();

fn families() -> &'static Families {
    FAMILIES.get_or_init(|| {
        let status = GaugeVec::new(
            Opts::new(
                "health_check_status",
                "Current status of each health check: 1 for the status it is in, 0 for the others.",
            ),
            &["check", "probe", "status"],
        )
        .expect("valid static metric options");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "health_check_duration_seconds",
                "Duration of health check runs, in seconds (a timed-out run counts its timeout).",
            ),
            &["check", "probe"],
        )
        .expect("valid static metric options");
        let failures = IntCounterVec::new(
            Opts::new(
                "health_check_failures_total",
                "Health check runs that ended unhealthy, timed out or panicked.",
            ),
            &["check", "probe"],
        )
        .expect("valid static metric options");
        Families {
            status: StatusFamily(status),
            duration,
            failures,
        }
    })
}

/// `health_check_status`, which on each collection (a scrape) first makes sure the
/// background refresh of every refreshed check runs in the scraping runtime, so that
/// a service scraped but never probed still shows current statuses.
#[derive(Clone)]
struct StatusFamily(GaugeVec);

impl Collector for StatusFamily {
    fn desc(&self) -> Vec<&Desc> {
        self.0.desc()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        super::engine::start_background_everywhere();
        self.0.collect()
    }
}

/// Registers the health metric families; called once while the global registry
/// initialises (so it must not call [`crate::registry`]).
pub(super) fn register_families() {
    let families = families();
    let collectors: [Box<dyn prometheus::core::Collector>; 3] = [
        Box::new(families.status.clone()),
        Box::new(families.duration.clone()),
        Box::new(families.failures.clone()),
    ];
    for collector in collectors {
        if let Err(conflict) = raw_registry().register_as(
            collector,
            "the health check metrics",
            "the start-up of monitor_runtime::health",
        ) {
            report(conflict.into_error("monitor_runtime::health"));
        }
    }
}

/// The series of one check, created at zero when it is registered.
pub(super) struct CheckMetrics {
    status: [prometheus::Gauge; 3],
    duration: Histogram,
    failures: IntCounter,
}

impl CheckMetrics {
    pub(super) fn new(check: &str, probe: Probe) -> Self {
        let families = families();
        let probe = probe.as_str();
        let status = [Status::Healthy, Status::Degraded, Status::Unhealthy].map(|status| {
            families
                .status
                .0
                .with_label_values(&[check, probe, status.as_str()])
        });
        Self {
            status,
            duration: families.duration.with_label_values(&[check, probe]),
            failures: families.failures.with_label_values(&[check, probe]),
        }
    }

    pub(super) fn record(&self, status: Status, seconds: f64) {
        for (gauge, each) in
            self.status
                .iter()
                .zip([Status::Healthy, Status::Degraded, Status::Unhealthy])
        {
            gauge.set(if each == status { 1.0 } else { 0.0 });
        }
        self.duration.observe(seconds);
        if status == Status::Unhealthy {
            self.failures.inc();
        }
    }
}
