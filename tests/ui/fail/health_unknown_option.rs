use monitor_runtime::{HealthCheck, health_check};

#[health_check(interval = "5s")]
fn first() -> bool {
    true
}

#[health_check(check = ping)]
fn second() -> bool {
    true
}

#[derive(HealthCheck)]
#[health(check = ping, skip)]
struct Database;

impl Database {
    fn ping(&self) -> bool {
        true
    }
}

#[derive(HealthCheck)]
struct Dependencies {
    #[health(timeout = "1s")]
    database: Database,
}

fn main() {}
