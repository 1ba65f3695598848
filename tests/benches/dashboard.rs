//! What the dashboard's history costs, against the `/metrics` rendering of the same
//! registry in the same run: `render` is the baseline (what one scrape costs), `reading`
//! is one reading of the sampler (gather, encode, read back), `view 720` computes every
//! chart of an hour's history (what `dashboard/data.json` does at each poll). The
//! registry holds 50 functions with the default buckets, called a few times each.

use criterion::{Criterion, criterion_group, criterion_main};
use monitor_runtime::history::{History, RETENTION, Snapshot};
use monitor_runtime::prometheus::{CounterVec, HistogramOpts, HistogramVec, Opts, Registry};

fn registry() -> Registry {
    let registry = Registry::new();
    let calls = CounterVec::new(
        Opts::new("function_calls_total", "calls"),
        &["function", "module", "result"],
    )
    .unwrap();
    let durations = HistogramVec::new(
        HistogramOpts::new("function_calls_duration_seconds", "durations"),
        &["function", "module"],
    )
    .unwrap();
    registry.register(Box::new(calls.clone())).unwrap();
    registry.register(Box::new(durations.clone())).unwrap();
    for index in 0..50 {
        let function = format!("function_{index}");
        calls
            .with_label_values(&[&function, "bench::shop", "ok"])
            .inc_by(10.0);
        calls
            .with_label_values(&[&function, "bench::shop", "error"])
            .inc();
        durations
            .with_label_values(&[&function, "bench::shop"])
            .observe(0.001 * f64::from(index));
    }
    registry
}

fn history(c: &mut Criterion) {
    let registry = registry();
    let mut group = c.benchmark_group("dashboard");
    group.bench_function("render (baseline)", |b| {
        b.iter(|| {
            let mut text = String::new();
            monitor_runtime::prometheus::TextEncoder::new()
                .encode_utf8(&registry.gather(), &mut text)
                .unwrap();
            text
        });
    });
    group.bench_function("reading", |b| {
        b.iter(|| Snapshot::from_families(&registry.gather(), 0.0));
    });
    let mut full = History::new(RETENTION);
    let snapshot = Snapshot::from_families(&registry.gather(), 0.0);
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
