//! Cost of a labelled business counter update, against hand-written `prometheus`
//! code measured in the same run:
//! - `prometheus_with_label_values`: `CounterVec::with_label_values(&[plan]).inc()`;
//! - `business_metric_attribute`: a call of a `#[business_metric]` function labelled
//!   by its argument;
//! - `business_metrics_handle`: `COUNTER.inc([&plan])` on a `business_metrics!` static;
//! - `*_cached`: a series resolved once and kept (`prometheus` child vs `.with(..)`).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use monitor_runtime::{business_metric, business_metrics};
use prometheus::{CounterVec, Opts};

const PLANS: [&str; 4] = ["free", "team", "business", "enterprise"];

business_metrics! {
    /// Sign-ups by plan, updated through the handle.
    counter SIGNUPS = "bench_handle_signups_total", help = "Sign-ups by plan.", labels(plan);
}

#[business_metric(
    counter = "bench_attribute_signups_total",
    help = "Sign-ups by plan.",
    labels(plan = plan)
)]
#[inline(never)]
fn sign_up(plan: &str) {
    black_box(plan);
}

fn labelled_counter(c: &mut Criterion) {
    let vec = CounterVec::new(
        Opts::new("bench_prometheus_signups_total", "Sign-ups by plan."),
        &["plan"],
    )
    .unwrap();
    let mut group = c.benchmark_group("labelled_counter_update");
    let mut index = 0_usize;
    let mut next_plan = move || {
        index = (index + 1) % PLANS.len();
        black_box(PLANS[index])
    };

    group.bench_function("prometheus_with_label_values", |b| {
        b.iter(|| vec.with_label_values(&[next_plan()]).inc())
    });
    group.bench_function("business_metric_attribute", |b| {
        b.iter(|| sign_up(next_plan()))
    });
    group.bench_function("business_metrics_handle", |b| {
        b.iter(|| SIGNUPS.inc([&next_plan()]))
    });

    let prometheus_cached = vec.with_label_values(&["team"]);
    group.bench_function("prometheus_cached", |b| {
        b.iter(|| black_box(&prometheus_cached).inc())
    });
    let handle_cached = SIGNUPS.with([&"team"]);
    group.bench_function("business_metrics_cached", |b| {
        b.iter(|| black_box(&handle_cached).inc())
    });
    group.finish();
}

criterion_group!(benches, labelled_counter);
criterion_main!(benches);
