//! M050: durations are a number and a unit.
use monitor_runtime::health_check;

#[health_check(name = "db", timeout = "500")]
fn database() -> bool {
    true
}

#[health_check(name = "cache", cache = "2 parsecs")]
fn cache() -> bool {
    true
}

#[health_check(name = "queue", refresh = "")]
fn queue() -> bool {
    true
}

fn main() {}
