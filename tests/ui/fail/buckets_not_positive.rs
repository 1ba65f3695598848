use monitor_runtime::monitored;

#[monitored(buckets = [-1.0, 0, 0.5, 1e400])]
fn checkout() {}

fn main() {}
