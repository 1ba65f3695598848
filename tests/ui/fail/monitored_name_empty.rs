use monitor_runtime::monitored;

#[monitored(name = "")]
fn checkout() {}

#[monitored(name = "  ")]
fn pay() {}

fn main() {}
