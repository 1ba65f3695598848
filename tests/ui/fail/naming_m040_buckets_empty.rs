//! M040: a histogram has at least one bucket.
use monitor_runtime::business_metric;

#[business_metric(histogram = "basket_items", help = "Items per basket.", observe = 1, buckets = [])]
fn checkout() {}

fn main() {}
