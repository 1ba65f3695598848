use monitor_runtime::HealthCheck;

#[derive(HealthCheck)]
enum Backend {
    Primary,
    Replica,
}

#[derive(HealthCheck)]
struct Nothing;

#[derive(HealthCheck)]
#[health(check = missing)]
struct Missing;

fn main() {}
