//! M042: bucket bounds strictly increase.
use monitor_runtime::business_metric;

#[business_metric(histogram = "basket_items", help = "Items per basket.", observe = 1, buckets = [1.0, 10.0, 5.0, 10.0])]
fn checkout() {}

fn main() {}
