//! Native histograms: alone, with a schema, beside classic buckets, on an `impl`
//! block's methods, and on business histograms (where they need no bounds).
use monitor_runtime::{business_metric, monitored};

#[business_metric(histogram = "basket_value_euros", help = "Basket values.", observe = total, native)]
fn checkout(total: f64) -> f64 {
    total
}

monitor_runtime::business_metrics! {
    histogram PAYLOAD = "ui_payload_bytes", help = "Payload sizes.", native(schema = 2),
        buckets = [1024.0, 65536.0];
}

#[monitored(native)]
fn default_schema() {}

#[monitored(native(schema = -4))]
fn coarsest() {}

#[monitored(native(schema = 8), buckets = [0.001, 0.1])]
async fn finest_and_classic() {}

#[monitored(native(schema = 2), objective(latency = "100ms", latency_share = 0.99))]
fn with_an_objective() {}

struct Shop;

#[monitored(native)]
impl Shop {
    fn pay(&self) {}

    #[monitored(native(schema = 1))]
    fn refund(&self) {}
}

fn main() {
    checkout(12.5);
    PAYLOAD.observe(2048.0, []);
    default_schema();
    coarsest();
    let _ = finest_and_classic();
    with_an_objective();
    Shop.pay();
    Shop.refund();
}
