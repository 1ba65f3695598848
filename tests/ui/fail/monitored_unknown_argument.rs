use monitor_runtime::monitored;

#[monitored(label = "checkout")]
fn checkout() {}

#[monitored(nmae = "typo", level = "info")]
fn typo() {}

fn main() {}
