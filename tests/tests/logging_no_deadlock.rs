//! A tracing layer that itself reads every figure, calls a monitored function and
//! updates a business metric while it handles the runtime's own log events (the
//! clash reported at start-up, a labelled business metric reaching its limit, an
//! invalid business value) does not deadlock: the runtime logs only once its
//! initialisers returned and its locks are released. A deadlock fails the test
//! through a timeout instead of hanging it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use monitor_runtime::{business_metric, business_metrics, monitored};
use tracing_subscriber::layer::{Context, SubscriberExt};

#[monitored(name = "logged_twice")]
fn first() {}

#[monitored(name = "logged_twice")]
fn second() {}

#[monitored]
fn called_by_the_layer() {}

business_metrics! {
    /// Labelled, with room for one label set: the second one folds and logs.
    counter LOGGING_LIMITED = "logging_limited_total", help = "Limited.", labels(key),
        max_label_sets = 1;
    /// Updated by the layer itself on every event.
    counter LOGGING_EVENTS = "logging_layer_events_total", help = "Events seen by the layer.";
    /// Given an invalid value.
    gauge LOGGING_LEVEL = "logging_level", help = "A level.";
}

#[business_metric(counter = "logging_calls_total", help = "Calls.", labels(key = key),
                  max_label_sets = 1)]
fn limited_call(key: &str) {}

static EVENTS: AtomicUsize = AtomicUsize::new(0);
/// The `metric` field of each business event the layer saw.
static BUSINESS_EVENTS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct MetricField(Option<String>);

impl tracing::field::Visit for MetricField {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "metric" {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

/// On every event, reads the registry, calls a monitored function and updates a
/// business metric (the labelled one too), as a layer that exports logs as metrics
/// might.
struct MeteringLayer;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for MeteringLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        // Every figure, through the model, and the application's collectors.
        let snapshot = monitor_runtime::snapshot();
        assert!(!snapshot.families.is_empty());
        let _ = monitor_runtime::registry().gather();
        called_by_the_layer();
        LOGGING_EVENTS.inc([]);
        LOGGING_LIMITED.inc([&"from the layer"]);
        limited_call("from the layer");
        let mut metric = MetricField(None);
        event.record(&mut metric);
        if let Some(metric) = metric.0 {
            BUSINESS_EVENTS.lock().unwrap().push(metric);
        }
        EVENTS.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_layer_that_reads_the_registry_does_not_deadlock_on_start_up_logs() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let subscriber = tracing_subscriber::registry().with(MeteringLayer);
        tracing::subscriber::with_default(subscriber, || {
            let result = monitor_runtime::init();
            first();
            second();
            // The limit reached (the first label set is taken, the next ones fold),
            // through a handle and through a function's pending series.
            LOGGING_LIMITED.inc([&"first"]);
            LOGGING_LIMITED.inc([&"second"]);
            limited_call("first");
            limited_call("second");
            // Invalid values: dropped and logged.
            LOGGING_LIMITED.inc_by(-1.0, [&"first"]);
            LOGGING_LEVEL.set(f64::NAN, []);
            let text = monitor_runtime::render_metrics().unwrap();
            done.send((result.is_err(), text)).unwrap();
        });
    });
    let (clashed, text) = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("start-up finished: no deadlock through the tracing layer");
    assert!(clashed, "the clash is still reported");
    assert!(
        EVENTS.load(Ordering::SeqCst) >= 1,
        "the clash was logged through the layer"
    );
    assert!(
        text.contains(r#"function_calls_total{function="called_by_the_layer""#),
        "{text}"
    );
    let business = BUSINESS_EVENTS.lock().unwrap().clone();
    for metric in [
        "logging_limited_total",
        "logging_calls_total",
        "logging_level",
    ] {
        assert!(
            business.iter().any(|seen| seen == metric),
            "the layer saw a business event about {metric}: {business:?}"
        );
    }
    assert!(
        text.contains(r#"monitor_label_overflow_total{metric="logging_limited_total"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"monitor_business_invalid_values_total{metric="logging_level"} 1"#),
        "{text}"
    );
    assert!(LOGGING_EVENTS.with([]).get() >= 4.0);
}
