use monitor_runtime::HealthCheck;

#[derive(HealthCheck)]
#[health(check = ping)]
struct Database;

impl Database {
    fn ping(&self) -> bool {
        true
    }
}

#[derive(HealthCheck)]
struct Dependencies {
    database: Database,
    region: String,
}

fn main() {}
