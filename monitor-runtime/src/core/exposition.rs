//! Snapshots of every family and their expositions, with or without the HTTP
//! exporter.

use std::sync::atomic::{AtomicU64, Ordering};

use super::model::{Family, Kind, Labels, Snapshot, Value};
use super::registry::{INITIALISERS, Initialiser, Phase, registry, report};
use super::render::Format;
use super::source::{Claim, Source, add_source, collect_all};

/// Every family of the runtime and of the collectors registered in
/// [`registry`](crate::registry), as they are now: the one model every exposition
/// format is rendered from (see [`model`](crate::model)).
///
/// ```
/// #[monitor_runtime::monitored]
/// fn ship() {}
///
/// ship();
/// let snapshot = monitor_runtime::snapshot();
/// assert_eq!(
///     snapshot.value("function_calls_total", &[("function", "ship"), ("result", "ok")]),
///     Some(1.0)
/// );
/// ```
pub fn snapshot() -> Snapshot {
    // First: the first access registers every annotated item.
    registry();
    collect_all(false)
}

/// A snapshot for an exposition: families the `prometheus` encoder refuses count in
/// `monitor_exposition_errors_total`.
pub(crate) fn snapshot_for_exposition() -> Snapshot {
    registry();
    collect_all(true)
}

/// Renders every metric of the runtime and of the global
/// [`registry`](crate::registry) in the Prometheus text exposition format, as
/// `/metrics` serves it to a scraper that asks for no other format.
///
/// A metric family the `prometheus` encoder refuses (a collector registered by the
/// application produced, say, a family without a name) is left out rather than
/// failing the whole exposition: the error is logged and counted in
/// `monitor_exposition_errors_total`, and every other family is still served.
///
/// ```
/// let text = monitor_runtime::render_metrics().unwrap();
/// assert!(text.contains("# TYPE monitor_exposition_errors_total counter"));
/// ```
///
/// # Errors
///
/// None at present: refused families are left out and counted instead. The
/// `Result` leaves room for failures of the whole exposition.
pub fn render_metrics() -> Result<String, prometheus::Error> {
    Ok(super::render::render_text(&snapshot_for_exposition()))
}

/// Renders every metric in `format` (see [`Format`] for what each carries).
///
/// ```
/// use monitor_runtime::Format;
///
/// let text = String::from_utf8(monitor_runtime::render(Format::OpenMetrics)).unwrap();
/// assert!(text.ends_with("# EOF\n"));
/// ```
pub fn render(format: Format) -> Vec<u8> {
    format.render(&snapshot_for_exposition())
}

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
