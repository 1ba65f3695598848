use monitor_runtime::monitored;

#[monitored(name = "pay\nnow")]
fn pay() {}

fn main() {}
