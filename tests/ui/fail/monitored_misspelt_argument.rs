use monitor_runtime::monitored;

#[monitored(nmae = "checkout")]
fn checkout() {}

#[monitored(bucket = [0.1, 1.0])]
fn pay() {}

#[monitored(objective(sucess = 0.999))]
fn ship() {}

fn main() {}
