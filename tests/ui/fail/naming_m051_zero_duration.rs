//! M051: durations are longer than zero.
use monitor_runtime::health_check;

#[health_check(name = "db", timeout = "0s")]
fn database() -> bool {
    true
}

#[health_check(name = "cache", cache = "0ms")]
fn cache() -> bool {
    true
}

fn main() {}
