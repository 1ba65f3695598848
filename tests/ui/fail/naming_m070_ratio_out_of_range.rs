//! M070: objective ratios are shares of calls in (0, 1).
use monitor_runtime::monitored;

#[monitored(objective(success = 99.9))]
fn checkout() {}

#[monitored(objective(latency = "250ms", latency_share = 1.0))]
fn search() {}

#[monitored(objective(success = "99.9%"))]
fn pay() {}

fn main() {}
