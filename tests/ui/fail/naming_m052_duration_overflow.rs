//! M052: durations fit in 64-bit nanoseconds (about 584 years).
use monitor_runtime::health_check;

#[health_check(name = "db", timeout = "1000years")]
fn database() -> bool {
    true
}

#[health_check(name = "cache", cache = "99999999999999999999s")]
fn cache() -> bool {
    true
}

fn main() {}
