use monitor_runtime::health_check;

#[health_check]
fn counts() -> u32 {
    3
}

#[health_check]
fn nothing() {}

fn main() {}
