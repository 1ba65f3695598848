//! Helpers shared by the cross-crate tests: reading series out of the global registry,
//! an HTTP client, a test exporter, a real Prometheus server and external tools.

pub mod alertmanager;
pub mod alloc_count;
pub mod bench_stats;
pub mod browser;
pub mod engines;
pub mod formats;
pub mod grafana;
pub mod http;
pub mod log_buffer;
pub mod process;
pub mod prometheus_server;
mod prometheus_text;
pub mod promtool;
pub mod quickstart;
pub mod server;
pub mod tls;
pub mod tools;
pub mod wait;
pub mod webhook;

pub use prometheus_text::{Sample, parse_samples};

/// The value of the sample named `name` whose labels include every `(key, value)` in
/// `labels`, from the current exposition of the global registry.
pub fn sample(name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let text = monitor_runtime::render_metrics().expect("metrics encode");
    find(&parse_samples(&text), name, labels)
}

/// Finds a sample in parsed exposition text.
pub fn find(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|sample| {
            sample.name == name
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.iter().any(|(k, v)| k == key && v == value))
        })
        .map(|sample| sample.value)
}

// The README's Rust example, compiled by `cargo test --workspace` as a doctest of this
// package (not of `monitor-runtime`, whose package would not hold the README).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
