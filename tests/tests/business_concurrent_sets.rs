//! Threads that create and update label sets at once, through the lock-free look-up:
//! no update is lost, a label set gets one series whichever thread creates it, and
//! once the limit is reached every further new set folds into `__overflow__`.

use monitor_runtime::business::OVERFLOW_LABEL_VALUE;
use monitor_runtime::business_metrics;

business_metrics! {
    /// Jobs by shard: more shards than the limit.
    counter JOBS = "concurrent_jobs_total", help = "Jobs by shard.", labels(shard),
        max_label_sets = 200;
    /// Fractional amounts, from many threads at once.
    counter CREDITS = "concurrent_credits_total", help = "Credits.", labels(kind);
}

const THREADS: u64 = 8;
const ROUNDS: u64 = 20_000;
const SHARDS: u64 = 300;

#[test]
fn concurrent_creations_and_updates_lose_nothing() {
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            scope.spawn(move || {
                for round in 0..ROUNDS {
                    // Every thread walks every shard, from its own starting point,
                    // so that creations race.
                    let shard = (round * 7 + thread * 37) % SHARDS;
                    JOBS.inc([&shard]);
                    CREDITS.inc_by(0.5, [&"half"]);
                    CREDITS.inc([&"whole"]);
                }
            });
        }
    });
    let text = monitor_runtime::render_metrics().unwrap();
    let samples = monitor_tests::parse_samples(&text);
    let jobs: Vec<_> = samples
        .iter()
        .filter(|sample| sample.name == "concurrent_jobs_total")
        .collect();
    // 200 label sets from the values given, plus the overflow series.
    assert_eq!(jobs.len(), 201, "{jobs:?}");
    let total: f64 = jobs.iter().map(|sample| sample.value).sum();
    assert_eq!(total, (THREADS * ROUNDS) as f64);
    let overflow = monitor_tests::find(
        &samples,
        "concurrent_jobs_total",
        &[("shard", OVERFLOW_LABEL_VALUE)],
    )
    .expect("an overflow series");
    assert_eq!(
        monitor_tests::find(
            &samples,
            "monitor_label_overflow_total",
            &[("metric", "concurrent_jobs_total")]
        ),
        Some(overflow)
    );
    // Each label set's series counts every update of it, wherever it was created.
    for sample in jobs
        .iter()
        .filter(|sample| sample.labels[0].1 != OVERFLOW_LABEL_VALUE)
    {
        assert_eq!(sample.value, JOBS.with([&sample.labels[0].1]).get());
        assert!(sample.value > 0.0);
    }
    assert_eq!(
        CREDITS.with([&"half"]).get(),
        (THREADS * ROUNDS) as f64 * 0.5
    );
    assert_eq!(CREDITS.with([&"whole"]).get(), (THREADS * ROUNDS) as f64);
}
