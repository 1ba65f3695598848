//! The cardinality guard: however many distinct label values arrive, a labelled
//! business metric holds a bounded number of series, and every update is accounted
//! for, in its own series or in the overflow one.

use std::sync::{Mutex, Once};

use monitor_runtime::business::OVERFLOW_LABEL_VALUE;
use monitor_runtime::{business_metric, business_metrics};
use monitor_tests::{parse_samples, sample};

const LIMIT: usize = 1000;

#[business_metric(
    counter = "test_visits_total",
    help = "Visits by visitor, a label with unbounded values.",
    labels(visitor = visitor, site = "shop"),
    max_label_sets = 1000
)]
fn visit(visitor: u64) {}

business_metrics! {
    /// Searches by query text.
    counter SEARCHES = "test_searches_total", help = "Searches by query.", labels(query),
        max_label_sets = 10;
}

/// The `metric` field of every warning logged.
static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct WarningRecorder;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for WarningRecorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct MetricField(Option<String>);
        impl tracing::field::Visit for MetricField {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "metric" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        if *event.metadata().level() == tracing::Level::WARN {
            let mut field = MetricField(None);
            event.record(&mut field);
            if let Some(metric) = field.0 {
                WARNINGS.lock().unwrap().push(metric);
            }
        }
    }
}

fn record_warnings() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(WarningRecorder);
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

fn warnings_about(metric: &str) -> usize {
    WARNINGS
        .lock()
        .unwrap()
        .iter()
        .filter(|warned| *warned == metric)
        .count()
}

fn series_of(name: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let text = monitor_runtime::render_metrics().unwrap();
    parse_samples(&text)
        .into_iter()
        .filter(|sample| sample.name == name)
        .map(|sample| (sample.labels, sample.value))
        .collect()
}

#[test]
fn a_million_distinct_values_end_in_bounded_series_and_an_exact_overflow_count() {
    record_warnings();
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 250_000;
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            std::thread::spawn(move || {
                for index in 0..PER_THREAD {
                    visit(thread * PER_THREAD + index);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let total = THREADS * PER_THREAD;
    let series = series_of("test_visits_total");
    assert_eq!(
        series.len(),
        LIMIT + 1,
        "the limit plus one overflow series"
    );
    let counted: f64 = series.iter().map(|(_, value)| value).sum();
    assert_eq!(counted, total as f64, "no update is lost");
    let overflow = sample(
        "test_visits_total",
        &[("visitor", OVERFLOW_LABEL_VALUE), ("site", "shop")],
    );
    let folded = (total - LIMIT as u64) as f64;
    assert_eq!(overflow, Some(folded));
    assert_eq!(
        sample(
            "monitor_label_overflow_total",
            &[("metric", "test_visits_total")]
        ),
        Some(folded)
    );
    assert_eq!(warnings_about("test_visits_total"), 1, "one warning");
    // Label sets seen before the limit was reached keep their own series.
    let own = series
        .iter()
        .filter(|(labels, _)| {
            labels
                .iter()
                .any(|(name, value)| name == "visitor" && value != OVERFLOW_LABEL_VALUE)
        })
        .count();
    assert_eq!(own, LIMIT);
    assert!(series.iter().all(|(labels, _)| {
        labels
            .iter()
            .any(|(name, value)| name == "site" && value == "shop")
    }));
}

#[test]
fn known_label_sets_keep_counting_after_the_limit() {
    record_warnings();
    for index in 0..10 {
        SEARCHES.inc([&format!("query {index}")]);
    }
    for index in 0..100 {
        SEARCHES.inc([&format!("other {index}")]);
    }
    SEARCHES.inc([&"query 3"]);
    assert_eq!(
        sample("test_searches_total", &[("query", "query 3")]),
        Some(2.0)
    );
    assert_eq!(
        sample("test_searches_total", &[("query", OVERFLOW_LABEL_VALUE)]),
        Some(100.0)
    );
    assert_eq!(series_of("test_searches_total").len(), 11);
    assert_eq!(warnings_about("test_searches_total"), 1, "one warning");
    assert_eq!(
        sample(
            "monitor_label_overflow_total",
            &[("metric", "test_searches_total")]
        ),
        Some(100.0)
    );
}

#[business_metric(
    counter = "test_coupons_total",
    help = "Coupons redeemed, by code; limited by the global default.",
    labels(code = code)
)]
fn redeem(code: &str) {}

#[test]
fn the_global_default_limits_metrics_without_their_own_limit() {
    monitor_runtime::business::set_default_max_label_sets(5);
    for index in 0..20 {
        redeem(&format!("code-{index}"));
    }
    assert_eq!(series_of("test_coupons_total").len(), 6);
    assert_eq!(
        sample("test_coupons_total", &[("code", OVERFLOW_LABEL_VALUE)]),
        Some(15.0)
    );
    assert_eq!(
        sample(
            "monitor_label_overflow_total",
            &[("metric", "test_coupons_total")]
        ),
        Some(15.0)
    );
}

#[business_metric(
    counter = "test_racing_total",
    help = "Updates racing to create the same label sets.",
    labels(slot = slot),
    max_label_sets = 8
)]
fn race(slot: u32) {}

#[test]
fn threads_racing_to_create_the_same_sets_at_the_limit_never_overflow() {
    const THREADS: u32 = 8;
    const ROUNDS: u32 = 200;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(THREADS as usize));
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                for round in 0..ROUNDS {
                    race((thread + round) % 8);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let series = series_of("test_racing_total");
    assert_eq!(series.len(), 8);
    assert!(
        series
            .iter()
            .all(|(_, value)| *value == f64::from(THREADS * ROUNDS / 8))
    );
    assert_eq!(
        sample(
            "monitor_label_overflow_total",
            &[("metric", "test_racing_total")]
        ),
        Some(0.0)
    );
}
