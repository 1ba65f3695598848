use monitor_runtime::monitored;

#[monitored(buckets = [0.1, 1.0, 0.5, 1.0])]
fn checkout() {}

fn main() {}
