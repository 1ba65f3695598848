use monitor_runtime::{HealthCheck, health_check};

#[health_check(timeout = "1s", timeout = "2s")]
fn first() -> bool {
    true
}

#[health_check(liveness, readiness)]
fn second() -> bool {
    true
}

#[derive(HealthCheck)]
#[health(check = ping)]
#[health(critical = false, critical)]
struct Database;

impl Database {
    fn ping(&self) -> bool {
        true
    }
}

fn main() {}
