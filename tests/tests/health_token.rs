//! The program-wide health set: its token from `MONITOR_HEALTH_TOKEN`, `set_token`,
//! `set_ready`, `register`, served by the exporter.

use monitor_runtime::health::{self, builtin};
use monitor_runtime::{Exporter, HealthCheck};

mod health_common;

#[derive(HealthCheck)]
#[health(name = "payments", check = reachable)]
struct Payments {
    reachable: bool,
}

impl Payments {
    fn reachable(&self) -> Result<(), String> {
        if self.reachable {
            Ok(())
        } else {
            Err("payments API unreachable".to_owned())
        }
    }
}

#[tokio::test]
async fn the_environment_token_guards_the_exporter_endpoints() {
    // SAFETY: the only test of this binary, before any thread reads the environment.
    unsafe { std::env::set_var("MONITOR_HEALTH_TOKEN", "from-env") };
    health::register(Payments { reachable: false }).unwrap();
    health::register(builtin::DiskSpace::new(std::env::temp_dir()).min_free_bytes(0)).unwrap();
    health::register(builtin::Memory::new().max_used_ratio(1.0)).unwrap();
    assert!(health::register(Payments { reachable: true }).is_err());

    let exporter = Exporter::bind("127.0.0.1:0").await.unwrap();
    let addr = exporter.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(exporter.run(async move {
        let _ = stopped.await;
    }));

    let anonymous = health_common::get(addr, "/health/ready", None).await;
    assert_eq!(anonymous.status, 503);
    assert_eq!(anonymous.json(), serde_json::json!({"status": "unhealthy"}));
    let readyz = health_common::get(addr, "/readyz?verbose", None).await;
    assert!(
        readyz
            .body
            .contains("[-]payments failed: reason withheld\n"),
        "{}",
        readyz.body
    );

    let authorised = health_common::get(addr, "/health/ready", Some("from-env")).await;
    let json = authorised.json();
    assert_eq!(
        json["checks"]["payments"]["reason"],
        "payments API unreachable"
    );
    assert_eq!(json["checks"]["disk_space"]["status"], "healthy");
    assert!(json["checks"]["disk_space"]["details"]["total_bytes"].is_string());
    assert_eq!(json["checks"]["memory"]["status"], "healthy");

    health::HealthRegistry::global().set_token(Some("rotated".to_owned()));
    let old = health_common::get(addr, "/health/payments", Some("from-env")).await;
    assert_eq!(old.json(), serde_json::json!({"status": "unhealthy"}));
    health::HealthRegistry::global().set_token(None);
    let open = health_common::get(addr, "/health/payments", None).await;
    assert_eq!(open.json()["reason"], "payments API unreachable");

    health::set_ready(false);
    let draining = health_common::get(addr, "/health/ready", None).await;
    assert_eq!(
        draining.json()["reason"],
        "the application marked itself not ready"
    );
    assert_eq!(
        health::HealthRegistry::global()
            .report(health::Probe::Liveness)
            .await
            .status,
        health::Status::Healthy
    );
    health::set_ready(true);
    assert_eq!(
        health::HealthRegistry::global()
            .report(health::Probe::Readiness)
            .await
            .checks
            .len(),
        3
    );

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
