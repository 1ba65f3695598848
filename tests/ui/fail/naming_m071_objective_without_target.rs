//! M071: an objective has a target; a latency target is a threshold and a share.
use monitor_runtime::monitored;

#[monitored(objective(period = "30d"))]
fn checkout() {}

#[monitored(objective(latency = "250ms"))]
fn search() {}

#[monitored(objective(success = 0.99, latency_share = 0.95))]
fn pay() {}

fn main() {}
