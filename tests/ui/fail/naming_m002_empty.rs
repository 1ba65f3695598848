//! M002: a metric or label name is never empty.
use monitor_runtime::business_metric;

#[business_metric(gauge = "", help = "Jobs waiting.", set = 1)]
fn queue() {}

monitor_runtime::business_metrics! {
    counter ORDERS = "orders_total", help = "Orders placed.", labels("" = "web");
}

fn main() {}
