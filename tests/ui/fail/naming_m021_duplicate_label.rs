//! M021: each label once.
use monitor_runtime::business_metric;

#[business_metric(counter = "orders_total", help = "Orders placed.", labels(plan = plan, plan = tier))]
fn order(plan: &str, tier: &str) {
    let _ = (plan, tier);
}

monitor_runtime::business_metrics! {
    counter REQUESTS = "requests_total", help = "Requests.", labels(region, method, region);
}

fn main() {}
