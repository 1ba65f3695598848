use monitor_runtime::health_check;

#[health_check(probe = "sideways")]
fn first() -> bool {
    true
}

#[health_check(readyness)]
fn second() -> bool {
    true
}

fn main() {}
