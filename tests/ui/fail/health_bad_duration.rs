use monitor_runtime::health_check;

#[health_check(timeout = "half a second")]
fn first() -> bool {
    true
}

#[health_check(cache = "0s")]
fn second() -> bool {
    true
}

#[health_check(refresh = 10)]
fn third() -> bool {
    true
}

fn main() {}
