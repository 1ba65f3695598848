//! M020: `le`, `quantile`, `__*`, `job`, `instance` and the framework's own labels.
use monitor_runtime::business_metric;

#[business_metric(counter = "orders_total", help = "Orders placed.", labels(le = "1", result = "ok"))]
fn order() {}

monitor_runtime::business_metrics! {
    counter REQUESTS = "requests_total", help = "Requests.", labels(__x, quantile, function);
}

fn main() {}
