//! M030: help text present and not blank.
use monitor_runtime::business_metric;

#[business_metric(counter = "orders_total")]
fn order() {}

#[business_metric(counter = "refunds_total", help = "")]
fn refund() {}

monitor_runtime::business_metrics! {
    gauge QUEUE = "queue_length", help = "   ";
    counter REQUESTS = "requests_total";
}

fn main() {}
