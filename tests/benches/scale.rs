//! The scrape of an instance with 1 000 `#[monitored]` functions (each called once):
//! its size, its series, and its time, in one run:
//!
//! - `render_1000_functions`: `monitor_runtime::render_metrics()`, what `/metrics`
//!   serves (gather and encode of the whole registry);
//! - `encode_100_functions` / `encode_1000_functions`: the text encoding alone of
//!   the families of 100 and of all 1 000 functions, gathered once beforehand.
//!   Their ratio shows how the encoding grows with functions; the first benchmark
//!   over the second shows what gathering adds.
//!
//! ```sh
//! cargo bench -p monitor-tests --bench scale
//! ```
//!
//! Before measuring it prints the figures of `tests/benches/README.md`: samples of
//! the exposition, its bytes, and its bytes gzipped as the exporter sends them.

use std::hint::black_box;
use std::io::Write as _;

use criterion::Criterion;
use monitor_runtime::prometheus::proto::MetricFamily;
use monitor_runtime::prometheus::{Encoder, TextEncoder};

macro_rules! functions {
    ($($module:ident)*) => {
        $(
            pub mod $module {
                #[monitor_runtime::monitored]
                pub fn call() -> Result<(), std::fmt::Error> {
                    Ok(())
                }
            }
        )*
        pub fn call_all() {
            $( let _ = $module::call(); )*
        }
    };
}

macro_rules! ten_modules {
    ($inner:ident; $($module:ident)*) => {
        $(
            pub mod $module {
                $inner!(f0 f1 f2 f3 f4 f5 f6 f7 f8 f9);
            }
        )*
        pub fn call_all() {
            $( $module::call_all(); )*
        }
    };
}

macro_rules! hundred {
    ($($module:ident)*) => {
        ten_modules!(functions; $($module)*);
    };
}

mod thousand {
    ten_modules!(hundred; m0 m1 m2 m3 m4 m5 m6 m7 m8 m9);
}

/// The families of `function_calls_*`, keeping the series of the first `functions`
/// functions (by module) only.
#[allow(deprecated)]
fn function_families(families: &[MetricFamily], functions: usize) -> Vec<MetricFamily> {
    let mut modules: Vec<String> = families
        .iter()
        .filter(|family| family.get_name() == "function_calls_concurrent")
        .flat_map(|family| family.get_metric())
        .filter_map(|metric| {
            metric
                .get_label()
                .iter()
                .find(|label| label.get_name() == "module")
                .map(|label| label.get_value().to_owned())
        })
        .collect();
    modules.sort();
    modules.truncate(functions);
    families
        .iter()
        .filter(|family| family.get_name().starts_with("function_calls_"))
        .map(|family| {
            let mut family = family.clone();
            let kept: Vec<_> = family
                .get_metric()
                .iter()
                .filter(|metric| {
                    metric.get_label().iter().any(|label| {
                        label.get_name() == "module"
                            && modules.binary_search(&label.get_value().to_owned()).is_ok()
                    })
                })
                .cloned()
                .collect();
            family.set_metric(kept);
            family
        })
        .collect()
}

fn encode(families: &[MetricFamily]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    TextEncoder::new()
        .encode(families, &mut out)
        .expect("encodes");
    out
}

fn main() {
    thousand::call_all();
    let text = monitor_runtime::render_metrics().expect("renders");
    let samples = text.lines().filter(|line| !line.starts_with('#')).count();
    let function_samples = text
        .lines()
        .filter(|line| line.starts_with("function_calls_"))
        .count();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(text.as_bytes()).expect("gzip");
    let gzipped = gzip.finish().expect("gzip").len();
    println!(
        "1000 functions: {samples} samples ({function_samples} of function_calls_*), \
         {} bytes, {gzipped} bytes gzipped",
        text.len()
    );

    let families = monitor_runtime::registry().gather();
    let hundred = function_families(&families, 100);
    let thousand = function_families(&families, 1000);
    let count = |families: &[MetricFamily]| -> usize {
        families
            .iter()
            .map(|family| family.get_metric().len())
            .sum()
    };
    assert_eq!(
        count(&hundred) * 10,
        count(&thousand),
        "a tenth of the series"
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("scrape");
    group.bench_function("render_1000_functions", |b| {
        b.iter(|| black_box(monitor_runtime::render_metrics().expect("renders")))
    });
    group.bench_function("encode_100_functions", |b| {
        b.iter(|| black_box(encode(black_box(&hundred))))
    });
    group.bench_function("encode_1000_functions", |b| {
        b.iter(|| black_box(encode(black_box(&thousand))))
    });
    group.finish();
    criterion.final_summary();
}
