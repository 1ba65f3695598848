//! M041: bucket bounds are positive and finite.
use monitor_runtime::business_metric;

#[business_metric(histogram = "basket_items", help = "Items per basket.", observe = 1, buckets = [0, -1.0, 1e400])]
fn checkout() {}

fn main() {}
