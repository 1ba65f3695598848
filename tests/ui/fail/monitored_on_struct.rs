use monitor_runtime::monitored;

#[monitored]
struct Cart;

fn main() {}
