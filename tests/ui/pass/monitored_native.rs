//! Native histograms: alone, with a schema, beside classic buckets, on an `impl`
//! block's methods.
use monitor_runtime::monitored;

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
    default_schema();
    coarsest();
    let _ = finest_and_classic();
    with_an_objective();
    Shop.pay();
    Shop.refund();
}
