//! Rendering `/metrics` for 1 000 `#[monitored]` functions and 100 business label
//! sets, against the prometheus text encoder alone on the same families built by hand
//! (prometheus metric vectors with the same names, labels, buckets and counts,
//! gathered once before measuring).
//!
//! ```sh
//! cargo bench -p monitor-tests --bench scrape
//! ```
//!
//! Variants (group `scrape`):
//!
//! | variant | what it measures |
//! |---|---|
//! | `encoder_alone` | `TextEncoder::encode_utf8` on the hand-built families |
//! | `gather_and_encode` | the hand-built registry's `gather()` and the encoder |
//! | `render_metrics` | `monitor_runtime::render_metrics()`: everything a scrape renders, in the text format |
//! | `render_openmetrics` | the same in OpenMetrics |
//! | `render_protobuf` | the same in the protobuf format |
//! | `snapshot` | `monitor_runtime::snapshot()` alone: the model every format is rendered from |
//! | `history_reading` | one reading of the dashboard's history sampler (a snapshot, read into the history's figures) |

use std::hint::black_box;

use criterion::Criterion;
use monitor_runtime::{business_metrics, monitored};
use prometheus::{CounterVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts};

#[derive(Debug)]
pub struct Refused;

/// Ten modules `d0`..`d9`, each with the modules or the function `$inner` makes.
macro_rules! ten {
    ($inner:ident) => {
        ten!(@ $inner d0 d1 d2 d3 d4 d5 d6 d7 d8 d9);
    };
    (@ $inner:ident $($module:ident)*) => {
        $(pub mod $module { $inner!(); })*
        /// Calls `visit` with every function below.
        pub fn each(visit: &mut dyn FnMut(fn(u64) -> bool)) {
            $($module::each(visit);)*
        }
    };
}

macro_rules! function {
    () => {
        #[monitor_runtime::monitored]
        pub fn call(x: u64) -> Result<u64, crate::Refused> {
            if x % 5 == 4 {
                Err(crate::Refused)
            } else {
                Ok(x)
            }
        }
        pub fn each(visit: &mut dyn FnMut(fn(u64) -> bool)) {
            visit(|x| call(x).is_ok());
        }
    };
}

macro_rules! tens {
    () => {
        ten!(function);
    };
}

macro_rules! hundreds {
    () => {
        ten!(tens);
    };
}

/// 1 000 functions, `functions::dA::dB::dC::call`.
pub mod functions {
    ten!(hundreds);
}

business_metrics! {
    /// Orders by shop: 100 label sets.
    counter ORDERS = "bench_exposition_orders_total", help = "Orders by shop.", labels(shop);
}

const BUSINESS_SETS: u64 = 100;

/// Calls every function a few times and fills the business label sets.
fn exercise() -> usize {
    let mut functions = 0;
    functions::each(&mut |call| {
        for x in 0..5 {
            black_box(call(x));
        }
        functions += 1;
    });
    for shop in 0..BUSINESS_SETS {
        ORDERS.inc([&shop]);
    }
    functions
}

#[monitored]
fn bucket_bounds_probe() {}

/// The same families built with prometheus metric vectors: the labels, buckets and
/// counts of the exposition, in a registry of their own.
fn hand_built(functions: usize) -> prometheus::Registry {
    // The default `#[monitored]` bounds, read from the exposition itself.
    bucket_bounds_probe();
    let text = monitor_runtime::render_metrics().unwrap();
    let bounds: Vec<f64> = text
        .lines()
        .filter(|line| line.starts_with("function_calls_duration_seconds_bucket{"))
        .filter(|line| line.contains("bucket_bounds_probe"))
        .filter_map(|line| line.split(",le=\"").nth(1)?.split('"').next()?.parse().ok())
        .filter(|bound: &f64| bound.is_finite())
        .collect();
    assert_eq!(bounds.len(), 16, "the default bounds, read from {text}");
    let registry = prometheus::Registry::new();
    let calls = IntCounterVec::new(
        Opts::new("function_calls_total", "Calls."),
        &["function", "module", "result"],
    )
    .unwrap();
    let duration = HistogramVec::new(
        HistogramOpts::new("function_calls_duration_seconds", "Duration.").buckets(bounds),
        &["function", "module"],
    )
    .unwrap();
    let in_flight = IntGaugeVec::new(
        Opts::new("function_calls_concurrent", "In flight."),
        &["function", "module"],
    )
    .unwrap();
    let orders = CounterVec::new(
        Opts::new("bench_exposition_orders_total", "Orders."),
        &["shop"],
    )
    .unwrap();
    for n in 0..functions {
        let module = format!(
            "scrape::functions::d{}::d{}::d{}",
            n / 100,
            n / 10 % 10,
            n % 10
        );
        let labels = ["call", module.as_str()];
        calls.with_label_values(&["call", &module, "ok"]).inc_by(4);
        calls
            .with_label_values(&["call", &module, "error"])
            .inc_by(1);
        let histogram = duration.with_label_values(&labels);
        for x in 0..5 {
            histogram.observe(1e-7 * (x + 1) as f64);
        }
        in_flight.with_label_values(&labels).set(0);
    }
    for shop in 0..BUSINESS_SETS {
        orders.with_label_values(&[&shop.to_string()]).inc();
    }
    registry.register(Box::new(calls)).unwrap();
    registry.register(Box::new(duration)).unwrap();
    registry.register(Box::new(in_flight)).unwrap();
    registry.register(Box::new(orders)).unwrap();
    registry
}

fn bench(criterion: &mut Criterion) {
    monitor_runtime::init().expect("no registration problem");
    let functions = exercise();
    assert_eq!(functions, 1000);
    let hand = hand_built(functions);
    let families = hand.gather();
    let encoder = prometheus::TextEncoder::new();
    // The same amount of text either way (within the few families of the runtime's own).
    let ours = monitor_runtime::render_metrics().unwrap();
    let theirs = encoder.encode_to_string(&families).unwrap();
    eprintln!(
        "exposition: render_metrics {} lines, hand-built {} lines",
        ours.lines().count(),
        theirs.lines().count()
    );

    let mut group = criterion.benchmark_group("scrape");
    group.bench_function("encoder_alone", |b| {
        b.iter(|| {
            let mut text = String::with_capacity(theirs.len());
            encoder
                .encode_utf8(black_box(&families), &mut text)
                .unwrap();
            text
        })
    });
    group.bench_function("gather_and_encode", |b| {
        b.iter(|| {
            let mut text = String::with_capacity(theirs.len());
            encoder.encode_utf8(&hand.gather(), &mut text).unwrap();
            text
        })
    });
    group.bench_function("render_metrics", |b| {
        b.iter(|| monitor_runtime::render_metrics().unwrap())
    });
    group.bench_function("render_openmetrics", |b| {
        b.iter(|| monitor_runtime::render(monitor_runtime::Format::OpenMetrics))
    });
    group.bench_function("render_protobuf", |b| {
        b.iter(|| monitor_runtime::render(monitor_runtime::Format::Protobuf))
    });
    group.bench_function("snapshot", |b| b.iter(monitor_runtime::snapshot));
    group.bench_function("history_reading", |b| {
        b.iter(|| {
            monitor_runtime::__private::HistorySnapshot::from_model(
                monitor_runtime::snapshot(),
                0.0,
            )
        })
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
