use monitor_runtime::monitored;

#[monitored(buckets = [0.0, 0.5])]
fn zero_bucket() {}

#[monitored(buckets = [-1.0, 0.5])]
fn negative_bucket() {}

fn main() {}
