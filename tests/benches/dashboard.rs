//! What the dashboard's history costs: `view 720` computes every chart of an hour's
//! history (what `dashboard/data.json` does at each poll) for 50 functions with the
//! default buckets. (One reading of the sampler against a `/metrics` rendering of the
//! same registry is measured by the `scrape` bench, `history_reading`.)

use criterion::{Criterion, criterion_group, criterion_main};
use monitor_runtime::__private::{History, HistorySnapshot as Snapshot, RETENTION};
use monitor_runtime::model::{self, Family, Histogram, Kind, Labels, Value};

/// A reading of 50 functions, called a few times each.
fn reading() -> model::Snapshot {
    let mut calls = Family::new("function_calls_total", "calls", Kind::Counter);
    let mut durations = Family::new(
        "function_calls_duration_seconds",
        "durations",
        Kind::Histogram,
    );
    let bounds = vec![
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0,
        5.0, 10.0,
    ];
    for index in 0..50_u32 {
        let labels = Labels::new([
            ("function", format!("function_{index}")),
            ("module", "bench::shop".to_owned()),
        ]);
        calls.push(labels.with("result", "ok"), Value::counter(10.0));
        calls.push(labels.with("result", "error"), Value::counter(1.0));
        let value = 0.001 * f64::from(index);
        let bucket = bounds
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(bounds.len());
        let mut counts = vec![0; bounds.len() + 1];
        counts[bucket] = 1;
        let histogram = Histogram::classic(bounds.clone(), &counts, value);
        durations.push(labels, Value::Histogram(histogram));
    }
    model::Snapshot {
        families: vec![durations, calls],
    }
}

fn history(c: &mut Criterion) {
    let mut group = c.benchmark_group("dashboard");
    let mut full = History::new(RETENTION);
    let snapshot = Snapshot::from_model(reading(), 0.0);
    for step in 0..720 {
        let mut reading = snapshot.clone();
        reading.at = f64::from(step) * 5.0;
        full.record(reading);
    }
    group.bench_function("view 720", |b| {
        b.iter(|| full.view(std::time::Duration::from_secs(60)));
    });
    group.finish();
}

criterion_group!(benches, history);
criterion_main!(benches);
