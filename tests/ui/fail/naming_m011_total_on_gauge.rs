//! M011: only counters end in `_total`.
use monitor_runtime::business_metric;

#[business_metric(gauge = "queue_length_total", help = "Jobs waiting.", set = 1)]
fn queue() {}

monitor_runtime::business_metrics! {
    histogram LATENCY = "latency_seconds_total", help = "Latency.";
}

fn main() {}
