//! M010: `orders_total_` does not end in `_total`, as `promtool` reads it.
use monitor_runtime::business_metric;

#[business_metric(counter = "orders_total_", help = "Orders placed.")]
fn order() {}

fn main() {}
