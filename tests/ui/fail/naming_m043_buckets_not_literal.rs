//! M043: buckets are a literal list of numbers.
use monitor_runtime::business_metric;

const BOUNDS: [f64; 2] = [1.0, 10.0];

#[business_metric(histogram = "basket_items", help = "Items per basket.", observe = 1, buckets = BOUNDS)]
fn checkout() {}

monitor_runtime::business_metrics! {
    histogram ORDER_VALUE = "order_value", help = "Order value.", buckets = [1.0, BOUNDS[1]];
}

fn main() {}
