use monitor_runtime::{HealthCheck, health_check};

#[health_check(name = "data base")]
fn first() -> bool {
    true
}

#[health_check(name = "ready")]
fn second() -> bool {
    true
}

#[derive(HealthCheck)]
#[health(check = ping)]
struct Part;

impl Part {
    fn ping(&self) -> bool {
        true
    }
}

#[derive(HealthCheck)]
struct Pair {
    #[health(name = "part")]
    first: Part,
    part: Part,
}

fn main() {}
