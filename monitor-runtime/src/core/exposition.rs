//! The Prometheus text exposition of the global registry, with or without the HTTP
//! exporter.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};

use prometheus::core::Collector;
use prometheus::{IntCounter, TextEncoder};

use super::registry::registry;

/// The `Content-Type` of `/metrics`: the Prometheus text exposition format 0.0.4.
///
/// ```
/// assert!(monitor_runtime::METRICS_CONTENT_TYPE.starts_with(prometheus::TEXT_FORMAT));
/// ```
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Renders every metric of the global [`registry`](crate::registry) in the Prometheus
/// text exposition format, exactly as `/metrics` serves it.
///
/// A metric family the encoder refuses (a collector registered by the application
/// produced, say, a family without a name) is left out rather than failing the
/// whole exposition: the error is logged and counted in
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
    let errors = exposition_errors();
    let families = registry().gather();
    let encoder = TextEncoder::new();
    let mut text = String::with_capacity(families.len() * 256);
    // The error counter is rendered last, where it belongs in the text, so that it
    // includes the refusals of this very exposition.
    let mut counter_at = None;
    let mut refused = Vec::new();
    for family in &families {
        if family.name() == EXPOSITION_ERRORS && OWN_COUNTER_SERVED.load(Ordering::Relaxed) {
            counter_at = Some(text.len());
            continue;
        }
        let before = text.len();
        if let Err(error) = encoder.encode_utf8(std::slice::from_ref(family), &mut text) {
            text.truncate(before);
            errors.inc();
            refused.push((family.name().to_owned(), error));
        }
    }
    if let Some(at) = counter_at {
        let mut counter = String::new();
        encoder.encode_utf8(&errors.collect(), &mut counter)?;
        text.insert_str(at, &counter);
    }
    for (family, error) in refused {
        tracing::error!(
            %error,
            family,
            "monitor: a metric family was left out of the exposition"
        );
    }
    Ok(text)
}

const EXPOSITION_ERRORS: &str = "monitor_exposition_errors_total";

/// Whether the family of that name in the registry is our counter (its registration
/// succeeded), which the exposition then renders itself.
static OWN_COUNTER_SERVED: AtomicBool = AtomicBool::new(false);

/// `monitor_exposition_errors_total`, registered at start-up by
/// [`register_own_metrics`].
fn exposition_errors() -> &'static IntCounter {
    static ERRORS: LazyLock<IntCounter> = LazyLock::new(|| {
        IntCounter::new(
            EXPOSITION_ERRORS,
            "Metric families left out of the exposition because the encoder refused them.",
        )
        .expect("valid static metric options")
    });
    &ERRORS
}

/// Registers the metrics of the exposition itself; runs while the registry
/// initialises, so a clash is reported (and logged later), never logged here.
pub(super) fn register_own_metrics() {
    match super::registry::raw_registry().register_as(
        Box::new(exposition_errors().clone()),
        "the exposition's own metrics",
        "the start-up of monitor_runtime",
    ) {
        Ok(()) => OWN_COUNTER_SERVED.store(true, Ordering::Relaxed),
        Err(conflict) => {
            super::registry::report(conflict.into_error("monitor_runtime (the exposition)"));
        }
    }
}
