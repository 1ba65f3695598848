use monitor_runtime::monitored;

#[monitored(buckets = [])]
fn checkout() {}

fn main() {}
