//! M013: `# TYPE` states the type; the name does not.
use monitor_runtime::business_metric;

#[business_metric(counter = "requests_counter", help = "Requests served.")]
fn serve() {}

monitor_runtime::business_metrics! {
    gauge QUEUE = "queue_gauge", help = "Jobs waiting.";
    histogram LATENCY = "latency_histogram_seconds", help = "Latency.";
}

fn main() {}
