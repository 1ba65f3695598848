//! `objective(...)`: durations checked (M050, M051), unknown and repeated
//! arguments refused, not on an `impl` block.
use monitor_runtime::monitored;

#[monitored(objective(success = 0.99, period = "30"))]
fn checkout() {}

#[monitored(objective(latency = "0s", latency_share = 0.99))]
fn search() {}

#[monitored(objective(success = 0.99, succes = 0.9, success = 0.9))]
fn pay() {}

#[monitored(objective = 0.99)]
fn ship() {}

struct Cart;

#[monitored(objective(success = 0.99))]
impl Cart {
    fn total(&self) {}
}

fn main() {}
