//! M004: colons are reserved for recording rules.
use monitor_runtime::business_metric;

#[business_metric(counter = "shop:orders_total", help = "Orders placed.")]
fn order() {}

monitor_runtime::business_metrics! {
    gauge RATE = "job:requests:rate5m", help = "Request rate.";
}

fn main() {}
