//! The cardinality guard: however many distinct label values arrive, a labelled
//! business metric holds a bounded number of series, and every update is accounted
//! for, in its own series or in the overflow one.

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
    assert_eq!(
        sample(
            "monitor_label_overflow_total",
            &[("metric", "test_searches_total")]
        ),
        Some(100.0)
    );
}
