//! What every attribute expands to compiles against this crate and registers at
//! start-up, whichever cargo features are on: run with `--no-default-features` too.

use monitor_runtime::health::{self, HealthCheck as _, Probe, Status};
use monitor_runtime::{HealthCheck, business_metric, business_metrics, health_check, monitored};

#[monitored]
fn reserve(quantity: u32) -> Result<u32, String> {
    if quantity > 10 {
        Err("out of stock".to_owned())
    } else {
        Ok(quantity)
    }
}

#[monitored(span = false)]
async fn restock() -> Option<u32> {
    let quantity = reserve(2).ok()?;
    Some(quantity)
}

#[business_metric(counter = "expansions_orders_total", help = "Orders placed.", labels(plan = plan))]
fn place_order(plan: &str) -> Result<(), String> {
    let _ = plan;
    Ok(())
}

business_metrics! {
    /// Carts open.
    pub gauge CARTS_OPEN = "expansions_carts_open", help = "Carts open.";
}

#[health_check(name = "expansions-database", readiness, timeout = "500ms")]
async fn database() -> Result<(), String> {
    Ok(())
}

#[health_check(name = "expansions-clock", liveness)]
fn clock() -> bool {
    true
}

#[derive(HealthCheck)]
#[health(check = is_up)]
struct Part {
    up: bool,
}

impl Part {
    fn is_up(&self) -> bool {
        self.up
    }
}

#[derive(HealthCheck)]
#[health(name = "expansions-dependencies")]
struct Dependencies {
    primary: Part,
    #[health(critical = false)]
    replica: Part,
}

#[test]
fn every_expansion_registers_and_counts() {
    monitor_runtime::init().expect("no clash");
    let text = monitor_runtime::render_metrics().unwrap();
    assert!(
        text.contains(r#"function_calls_total{function="reserve""#),
        "a monitored function is exposed at zero from start-up:\n{text}"
    );
    assert!(text.contains("expansions_carts_open 0"), "{text}");
    assert!(
        text.contains(r#"health_check_status{check="expansions-clock""#),
        "{text}"
    );

    reserve(3).unwrap();
    reserve(11).unwrap_err();
    place_order("pro").unwrap();
    CARTS_OPEN.inc([]);
    let text = monitor_runtime::render_metrics().unwrap();
    assert!(
        text.contains(
            r#"function_calls_total{function="reserve",module="expansions",result="error"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"expansions_orders_total{plan="pro"} 1"#),
        "{text}"
    );
    assert!(text.contains("expansions_carts_open 1"), "{text}");
}

#[tokio::test]
async fn async_functions_and_checks_run() {
    assert_eq!(restock().await, Some(2));

    let dependencies = Dependencies {
        primary: Part { up: true },
        replica: Part { up: false },
    };
    assert_eq!(dependencies.check().await.status(), Status::Degraded);
    health::register(dependencies).unwrap();

    let readiness = health::HealthRegistry::global()
        .report(Probe::Readiness)
        .await;
    let names: Vec<&str> = readiness
        .checks
        .iter()
        .map(|check| check.name.as_str())
        .collect();
    assert!(names.contains(&"expansions-database"), "{names:?}");
    assert!(names.contains(&"expansions-dependencies"), "{names:?}");
    assert_eq!(readiness.status, Status::Degraded);
    assert_eq!(
        health::HealthRegistry::global()
            .report(Probe::Liveness)
            .await
            .status,
        Status::Healthy
    );
}
