use monitor_runtime::monitored;

#[monitored(name = "  ")]
fn checkout() {}

#[monitored(name = "pay\nnow")]
fn pay() {}

fn main() {}
