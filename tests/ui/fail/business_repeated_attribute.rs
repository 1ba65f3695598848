//! Two identical `#[business_metric]` on one function would count each call twice.
use monitor_runtime::{business_metric, monitored};

#[business_metric(counter = "orders_total", help = "Orders placed.")]
#[business_metric(counter = "orders_total", help = "Orders placed.")]
fn order() {}

#[monitored]
#[business_metric(counter = "refunds_total", help = "Refunds.", labels(plan = plan))]
#[business_metric(counter = "refunds_total", help = "Refunds.", labels(plan = plan))]
fn refund(plan: &str) {
    let _ = plan;
}

fn main() {}
