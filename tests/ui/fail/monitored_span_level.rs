use monitor_runtime::monitored;

#[monitored(span = "verbose")]
fn bad_level() {}

#[monitored(span = 3)]
fn not_a_level() {}

fn main() {}
