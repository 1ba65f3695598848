use monitor_runtime::monitored;

#[monitored(buckets = [0.1, 0.5, 0.5])]
fn repeated_bucket() {}

#[monitored(buckets = [1, 0.5])]
fn decreasing_bucket() {}

fn main() {}
