//! Health checks of the demo service: a readiness check on a dependency that fails
//! now and then, a slow check that times out, a composite over the storage layer,
//! and the built-in disk and memory checks. See them on `/health`, `/readyz?verbose`
//! and `/health/dependencies`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use monitor_runtime::health::{self, Health, builtin};
use monitor_runtime::{HealthCheck, health_check};

static PAYMENT_CALLS: AtomicU64 = AtomicU64::new(0);

/// A remote API that refuses one call in four.
#[health_check(name = "payments-api", readiness, timeout = "500ms", cache = "2s")]
async fn payments_api() -> Result<(), String> {
    let call = PAYMENT_CALLS.fetch_add(1, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(20)).await;
    if call % 4 == 3 {
        Err(format!(
            "payments API refused call {call}: 503 Service Unavailable"
        ))
    } else {
        Ok(())
    }
}

/// A report store that answers in 2 s, past its 300 ms timeout: always reported as
/// timed out. Refreshed in the background every 5 s, so no probe waits for it. Not
/// critical: readiness is only degraded.
#[health_check(
    name = "report-store",
    critical = false,
    timeout = "300ms",
    refresh = "5s"
)]
async fn report_store() -> bool {
    tokio::time::sleep(Duration::from_secs(2)).await;
    true
}

/// The process answers: the liveness probe needs nothing more.
#[health_check(name = "event-loop", liveness)]
fn event_loop() -> bool {
    true
}

/// A stateful check: the logic is a method of the struct holding the (simulated) pool.
#[derive(HealthCheck)]
#[health(check = ping, timeout = "200ms")]
struct Database {
    connections: u32,
}

impl Database {
    async fn ping(&self) -> Health {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Health::healthy().with_detail("connections", self.connections)
    }
}

#[derive(HealthCheck)]
#[health(check = warm)]
struct Cache {
    hit_ratio: f64,
}

impl Cache {
    fn warm(&self) -> Health {
        if self.hit_ratio > 0.5 {
            Health::healthy()
        } else {
            Health::degraded(format!("hit ratio {:.0}%", self.hit_ratio * 100.0))
        }
    }
}

/// A composite: `/health/dependencies` answers a tree with one entry per field.
#[derive(HealthCheck)]
#[health(name = "dependencies", readiness, cache = "5s")]
struct Dependencies {
    database: Database,
    #[health(critical = false)]
    cache: Cache,
    #[health(skip)]
    region: &'static str,
}

/// Registers the checks that need an instance; the `#[health_check]` functions are
/// registered on their own at start-up.
pub fn start() {
    let dependencies = Dependencies {
        database: Database { connections: 8 },
        cache: Cache { hit_ratio: 0.3 },
        region: "eu-west",
    };
    tracing::info!(region = dependencies.region, "registering health checks");
    let registered = [
        health::register(dependencies),
        health::register(builtin::DiskSpace::new("/").min_free_bytes(256 * 1024 * 1024)),
        health::register(builtin::Memory::new().max_used_ratio(0.95)),
    ];
    for result in registered {
        if let Err(error) = result {
            eprintln!("health check not registered: {error}");
        }
    }
}
