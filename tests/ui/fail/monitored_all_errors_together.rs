use monitor_runtime::monitored;

// Every mistake of one attribute is reported in the same build.
#[monitored(name = "", buckets = [1.0, 0.5, -2.0])]
fn checkout() {}

fn main() {}
