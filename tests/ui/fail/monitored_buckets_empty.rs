use monitor_runtime::monitored;

#[monitored(buckets = [])]
fn no_buckets() {}

fn main() {}
