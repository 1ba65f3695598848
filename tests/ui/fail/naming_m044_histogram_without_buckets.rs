//! M044: a histogram not named in `_seconds` gives its buckets, in its own unit.
use monitor_runtime::business_metric;

#[business_metric(histogram = "order_value_euros", help = "Order values.", observe = total)]
fn place_order(total: f64) -> f64 { total }

monitor_runtime::business_metrics! {
    histogram BASKET_ITEMS = "basket_items", help = "Items per basket.";
    /// Durations in seconds may leave them out.
    histogram PACKING = "packing_seconds", help = "Time to pack an order.";
}

fn main() {}
