//! M012: no `_count`, `_sum`, `_bucket`, `_created` or `_info` suffix.
use monitor_runtime::business_metric;

#[business_metric(gauge = "jobs_count", help = "Jobs waiting.", set = 1)]
fn jobs() {}

monitor_runtime::business_metrics! {
    gauge BUILD = "build_info", help = "Build.";
    gauge PAYMENTS = "payments_sum", help = "Payments.";
    gauge LATENCY = "latency_bucket", help = "Latency.";
    gauge STARTED = "process_created", help = "Start time.";
}

fn main() {}
