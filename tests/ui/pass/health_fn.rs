use monitor_runtime::health::{Health, HealthRegistry, Probe};
use monitor_runtime::health_check;

#[health_check]
fn plain() -> bool {
    true
}

#[health_check(name = "database", readiness, critical, timeout = "500ms", cache = "2s")]
async fn database() -> Result<(), std::io::Error> {
    Ok(())
}

#[health_check(probe = "liveness", critical = false, refresh = "10s")]
fn heartbeat() -> Health {
    Health::healthy()
}

#[health_check(startup, timeout = "1m")]
fn r#migrations() -> Result<u32, String> {
    Ok(3)
}

mod renamed_runtime {
    pub use monitor_runtime::*;
}

#[health_check(crate = "renamed_runtime", name = "through-renamed")]
fn through_renamed() -> bool {
    true
}

#[tokio::main]
async fn main() {
    monitor_runtime::init().unwrap();
    let names = HealthRegistry::global().names();
    for name in ["plain", "database", "heartbeat", "migrations", "through-renamed"] {
        assert!(names.iter().any(|n| n == name), "{name}");
    }
    let startup = monitor_runtime::health::HealthRegistry::global().report(Probe::Startup).await;
    assert_eq!(startup.checks[0].name, "migrations");
    assert!(plain() && database().await.is_ok());
    let _ = (heartbeat(), through_renamed());
}
