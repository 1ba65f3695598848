//! M005: names starting with `__` are reserved for Prometheus.
use monitor_runtime::business_metric;

#[business_metric(counter = "__orders_total", help = "Orders placed.")]
fn order() {}

fn main() {}
