//! M006: lowercase words joined by `_`.
use monitor_runtime::business_metric;

#[business_metric(counter = "requestCount", help = "Requests served.")]
fn serve() {}

#[business_metric(counter = "requests_total", help = "Requests served.", labels(userId = "anonymous"))]
fn serve_user() {}

monitor_runtime::business_metrics! {
    gauge QUEUE = "QUEUE_LENGTH", help = "Jobs waiting.";
}

fn main() {}
