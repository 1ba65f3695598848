//! The Prometheus text exposition of the global registry, with or without the HTTP
//! exporter.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};

use prometheus::core::Collector;
use prometheus::proto::MetricFamily;
use prometheus::{IntCounter, TextEncoder};

use super::registry::registry;
use super::sync::ignore_poison;

/// Metric families a feature writes as text itself, faster than building protobuf
/// messages for the encoder: its collectors stay registered (for clash checks and for
/// [`registry`](crate::registry)`().gather()`), but give nothing while
/// [`render_metrics`] gathers ([`rendering_directly`]), and `render` writes the
/// families instead, in the exposition format the encoder writes, byte for byte.
pub(crate) struct DirectText {
    /// The families `render` writes, sorted by name.
    pub(crate) names: &'static [&'static str],
    /// Writes the family of that name (HELP, TYPE and every sample, sorted as the
    /// registry sorts them), or nothing if it has no series.
    pub(crate) render: fn(name: &str, out: &mut String),
}

/// What features added with [`add_direct_text`].
static DIRECT: Mutex<Vec<&'static DirectText>> = Mutex::new(Vec::new());

/// Makes `render_metrics` write `direct`'s families with it; once per feature.
pub(crate) fn add_direct_text(direct: &'static DirectText) {
    let mut all = ignore_poison(DIRECT.lock());
    if !all.iter().any(|added| std::ptr::eq(*added, direct)) {
        all.push(direct);
    }
}

thread_local! {
    static GATHERING_FOR_TEXT: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is gathering for [`render_metrics`], which writes the
/// families of [`DirectText`] itself: their collectors then give nothing.
pub(crate) fn rendering_directly() -> bool {
    GATHERING_FOR_TEXT.try_with(Cell::get).unwrap_or(false)
}

/// Gathers the registry without the families written directly, and those families:
/// every one by name, sorted. Should the registry hold a family of one of those names
/// from elsewhere (a collector registered straight into it), everything is gathered
/// the ordinary way instead, so that a family is never written twice.
fn gather_for_text() -> (Vec<MetricFamily>, Vec<(&'static str, &'static DirectText)>) {
    // First: the first access registers every annotated item, and so adds the
    // features' direct families.
    let registry = registry();
    let mut direct: Vec<(&'static str, &'static DirectText)> = ignore_poison(DIRECT.lock())
        .iter()
        .flat_map(|text| text.names.iter().map(move |name| (*name, *text)))
        .collect();
    direct.sort_unstable_by_key(|(name, _)| *name);
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            GATHERING_FOR_TEXT.with(|gathering| gathering.set(false));
        }
    }
    let families = {
        GATHERING_FOR_TEXT.with(|gathering| gathering.set(true));
        let _reset = Reset;
        registry.gather()
    };
    let overlap = families.iter().any(|family| {
        direct
            .binary_search_by_key(&family.name(), |(name, _)| name)
            .is_ok()
    });
    if overlap {
        return (registry.gather(), Vec::new());
    }
    (families, direct)
}

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
    let (families, direct) = gather_for_text();
    let encoder = TextEncoder::new();
    // About the size of the last exposition, so that the text is rarely copied.
    let mut text = String::with_capacity(LAST_LEN.load(Ordering::Relaxed) / 8 * 9 + 4096);
    // The error counter is rendered last, where it belongs in the text, so that it
    // includes the refusals of this very exposition.
    let mut counter_at = None;
    let mut refused = Vec::new();
    // Families written directly go where the registry would have sorted them.
    let mut direct = direct.into_iter().peekable();
    for family in &families {
        while let Some((name, writer)) = direct.next_if(|(name, _)| *name < family.name()) {
            (writer.render)(name, &mut text);
        }
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
    for (name, writer) in direct {
        (writer.render)(name, &mut text);
    }
    if let Some(at) = counter_at {
        let mut counter = String::new();
        encoder.encode_utf8(&errors.collect(), &mut counter)?;
        text.insert_str(at, &counter);
    }
    LAST_LEN.store(text.len(), Ordering::Relaxed);
    for (family, error) in refused {
        tracing::error!(
            %error,
            family,
            "monitor: a metric family was left out of the exposition"
        );
    }
    Ok(text)
}

/// The length of the last exposition.
static LAST_LEN: AtomicUsize = AtomicUsize::new(0);

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
