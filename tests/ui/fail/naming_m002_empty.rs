//! M002: a metric name, a health check name or a `function` label value is never empty.
use monitor_runtime::{business_metric, health_check, monitored};

#[business_metric(gauge = "", help = "Jobs waiting.", set = 1)]
fn queue() {}

monitor_runtime::business_metrics! {
    counter ORDERS = "", help = "Orders placed.";
}

#[health_check(name = "")]
fn database() -> bool {
    true
}

#[monitored(name = " ")]
fn checkout() {}

fn main() {}
