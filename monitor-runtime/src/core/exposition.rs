//! The Prometheus text exposition of the global registry, with or without the HTTP
//! exporter.

use std::sync::LazyLock;

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
    for family in &families {
        let before = text.len();
        if let Err(error) = encoder.encode_utf8(std::slice::from_ref(family), &mut text) {
            text.truncate(before);
            errors.inc();
            tracing::error!(
                %error,
                family = family.name(),
                "monitor: a metric family was left out of the exposition"
            );
        }
    }
    Ok(text)
}

/// `monitor_exposition_errors_total`, registered on first use.
fn exposition_errors() -> &'static IntCounter {
    static ERRORS: LazyLock<IntCounter> = LazyLock::new(|| {
        let counter = IntCounter::new(
            "monitor_exposition_errors_total",
            "Metric families left out of the exposition because the encoder refused them.",
        )
        .expect("valid static metric options");
        if let Err(error) = registry().register(Box::new(counter.clone())) {
            tracing::error!(%error, "monitor: could not register monitor_exposition_errors_total");
        }
        counter
    });
    &ERRORS
}
