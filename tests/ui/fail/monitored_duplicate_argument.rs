use monitor_runtime::monitored;

#[monitored(name = "a", name = "b")]
fn twice() {}

#[monitored(span = false, buckets = [1.0], span = "info")]
fn span_twice() {}

fn main() {}
