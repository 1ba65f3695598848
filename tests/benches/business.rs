//! Cost of a labelled business counter update, against hand-written `prometheus`
//! code measured in the same run:
//! - `prometheus_with_label_values`: `CounterVec::with_label_values(&[plan]).inc()`;
//! - `business_metric_attribute`: a call of a `#[business_metric]` function labelled
//!   by its argument;
//! - `business_metrics_handle`: `COUNTER.inc([&plan])` on a `business_metrics!` static;
//! - `*_cached`: a series resolved once and kept (`prometheus` child vs `.with(..)`);
//! - `*_integer`: an integer label value (`u16` status code; prometheus needs a
//!   string, so the hand-written code formats it);
//!
//! and in group `labelled_counter_threads2`, two threads updating the same label set
//! at once (time per update of each thread: a variant whose threads share no cache
//! line shows its one-thread time).

use std::hint::black_box;

use criterion::Criterion;
use monitor_runtime::{business_metric, business_metrics};
use prometheus::{CounterVec, Opts};

const PLANS: [&str; 4] = ["free", "team", "business", "enterprise"];

business_metrics! {
    /// Sign-ups by plan, updated through the handle.
    counter SIGNUPS = "bench_handle_signups_total", help = "Sign-ups by plan.", labels(plan);
    /// Responses by status code.
    counter RESPONSES = "bench_handle_responses_total", help = "Responses by status.", labels(status);
}

const STATUSES: [u16; 4] = [200, 201, 404, 503];

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
    let statuses = CounterVec::new(
        Opts::new("bench_prometheus_responses_total", "Responses by status."),
        &["status"],
    )
    .unwrap();
    let mut index = 0_usize;
    let mut next_status = move || {
        index = (index + 1) % STATUSES.len();
        black_box(STATUSES[index])
    };
    group.bench_function("prometheus_with_label_values_integer", |b| {
        b.iter(|| {
            statuses
                .with_label_values(&[&next_status().to_string()])
                .inc()
        })
    });
    group.bench_function("business_metrics_handle_integer", |b| {
        b.iter(|| RESPONSES.inc([&next_status()]))
    });
    group.finish();

    // Two threads, the same label set.
    let mut group = c.benchmark_group("labelled_counter_threads2");
    let two_threads = |b: &mut criterion::Bencher, update: &(dyn Fn() + Sync)| {
        b.iter_custom(|iters| {
            let start = std::sync::Barrier::new(2);
            std::thread::scope(|scope| {
                let threads: Vec<_> = (0..2)
                    .map(|_| {
                        let start = &start;
                        scope.spawn(move || {
                            start.wait();
                            let began = std::time::Instant::now();
                            for _ in 0..iters {
                                update();
                            }
                            began.elapsed()
                        })
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|thread| thread.join().expect("the bench thread ran"))
                    .max()
                    .unwrap_or_default()
            })
        })
    };
    group.bench_function("prometheus_with_label_values", |b| {
        two_threads(b, &|| vec.with_label_values(&[black_box("team")]).inc())
    });
    group.bench_function("business_metrics_handle", |b| {
        two_threads(b, &|| SIGNUPS.inc([&black_box("team")]))
    });
    group.finish();
}

/// One update of each variant `--callgrind VARIANT CALLS` runs, for
/// `tests/benches/callgrind.sh`.
type Variant = (&'static str, fn(u64));

static PROMETHEUS: std::sync::LazyLock<CounterVec> = std::sync::LazyLock::new(|| {
    CounterVec::new(
        Opts::new("bench_callgrind_signups_total", "Sign-ups by plan."),
        &["plan"],
    )
    .unwrap()
});

const VARIANTS: &[Variant] = &[
    ("bare", |x| {
        black_box(PLANS[x as usize % PLANS.len()]);
    }),
    ("prometheus_with_label_values", |x| {
        PROMETHEUS
            .with_label_values(&[PLANS[x as usize % PLANS.len()]])
            .inc()
    }),
    ("business_metrics_handle", |x| {
        SIGNUPS.inc([&PLANS[x as usize % PLANS.len()]])
    }),
    ("business_metric_attribute", |x| {
        sign_up(PLANS[x as usize % PLANS.len()])
    }),
    ("business_metrics_handle_integer", |x| {
        RESPONSES.inc([&STATUSES[x as usize % STATUSES.len()]])
    }),
];

/// `--callgrind VARIANT CALLS`: runs one variant `CALLS` times, nothing else. Not
/// inlined, so that callgrind can count this function alone (`--toggle-collect`).
#[inline(never)]
fn callgrind(variant: &str, calls: u64) {
    let Some((_, update)) = VARIANTS.iter().find(|(name, _)| *name == variant) else {
        let names: Vec<&str> = VARIANTS.iter().map(|(name, _)| *name).collect();
        eprintln!("unknown variant `{variant}`; one of: {}", names.join(", "));
        std::process::exit(2);
    };
    for x in 0..calls {
        update(black_box(x));
    }
}

fn main() {
    // Every label set exists before measuring, as in a running service.
    for (_, update) in VARIANTS {
        for x in 0..8 {
            update(x);
        }
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(index) = args.iter().position(|arg| arg == "--callgrind") {
        let variant = args.get(index + 1).map(String::as_str).unwrap_or("");
        let calls = args
            .get(index + 2)
            .and_then(|calls| calls.parse().ok())
            .unwrap_or(0);
        callgrind(variant, calls);
        return;
    }
    if args.iter().any(|arg| arg == "--list-variants") {
        for (name, _) in VARIANTS {
            println!("{name}");
        }
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    labelled_counter(&mut criterion);
    criterion.final_summary();
}
