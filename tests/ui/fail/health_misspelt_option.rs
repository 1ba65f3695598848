use monitor_runtime::{HealthCheck, health_check};

#[health_check(readyness)]
fn database() -> bool {
    true
}

#[health_check(timout = "1s")]
fn cache() -> bool {
    true
}

#[derive(HealthCheck)]
#[health(chek = ping)]
struct Database;

impl Database {
    fn ping(&self) -> bool {
        true
    }
}

#[derive(HealthCheck)]
struct Dependencies {
    #[health(critcal = false)]
    database: Database,
}

fn main() {}
