//! The exposition's own figures: families the encoder refused
//! (`monitor_exposition_errors_total`) and exemplars left out of snapshots
//! (`monitor_exemplars_dropped_total`), counted by the files that convert and
//! collect, exposed like every part's figures.

use std::sync::atomic::{AtomicU64, Ordering};

use super::model::{Family, Kind, Labels, Value};
use super::registry::{INITIALISERS, Initialiser, Phase, report};
use super::source::{Claim, Source, add_source};

const EXPOSITION_ERRORS: &str = "monitor_exposition_errors_total";
const EXPOSITION_ERRORS_HELP: &str =
    "Metric families left out of the exposition because the encoder refused them.";

/// `monitor_exposition_errors_total`.
pub(super) struct ExpositionErrors(AtomicU64);

impl ExpositionErrors {
    pub(super) fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

static ERRORS: ExpositionErrors = ExpositionErrors(AtomicU64::new(0));

const EXEMPLARS_DROPPED: &str = "monitor_exemplars_dropped_total";
const EXEMPLARS_DROPPED_HELP: &str = "Exemplars left out of snapshots because their labels \
     are longer than the 128 characters OpenMetrics allows.";

/// `monitor_exemplars_dropped_total`.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Counts exemplars left out of a snapshot.
pub(super) fn exemplars_dropped(count: u64) {
    DROPPED.fetch_add(count, Ordering::Relaxed);
}

/// The count of families left out of expositions.
pub(super) fn exposition_errors() -> &'static ExpositionErrors {
    &ERRORS
}

impl Source for ExpositionErrors {
    fn collect(&self, out: &mut Vec<Family>) {
        let mut family = Family::new(EXPOSITION_ERRORS, EXPOSITION_ERRORS_HELP, Kind::Counter);
        family.push(
            Labels::empty(),
            Value::counter(self.0.load(Ordering::Relaxed) as f64),
        );
        out.push(family);
        let mut family = Family::new(EXEMPLARS_DROPPED, EXEMPLARS_DROPPED_HELP, Kind::Counter);
        family.push(
            Labels::empty(),
            Value::counter(DROPPED.load(Ordering::Relaxed) as f64),
        );
        out.push(family);
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Own,
    name: "exposition",
    run: register_own_metrics,
};

/// Adds the exposition's own figures; runs while the registry initialises, so a
/// clash is reported (and logged later), never logged here.
fn register_own_metrics() {
    if let Err(conflict) = add_source(
        &ERRORS,
        &[
            Claim::new(EXPOSITION_ERRORS, Kind::Counter, EXPOSITION_ERRORS_HELP),
            Claim::new(EXEMPLARS_DROPPED, Kind::Counter, EXEMPLARS_DROPPED_HELP),
        ],
        "the exposition's own metrics",
        "the start-up of monitor_runtime",
    ) {
        report(conflict.into_error("monitor_runtime (the exposition)"));
    }
}
