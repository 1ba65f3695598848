use std::time::Duration;

use monitor_runtime::HealthCheck;
use monitor_runtime::health::{HealthCheck as _, HealthRegistry, Probe, Status};

#[derive(HealthCheck)]
#[health(name = "pool", check = ping, timeout = "250ms", cache = "5s")]
struct Pool {
    up: bool,
}

impl Pool {
    async fn ping(&self) -> Result<(), String> {
        if self.up { Ok(()) } else { Err("down".into()) }
    }
}

#[derive(HealthCheck)]
#[health(check = has_room, liveness, critical = false)]
struct QueueDepth(usize);

impl QueueDepth {
    fn has_room(&self) -> bool {
        self.0 < 10
    }
}

#[tokio::main]
async fn main() {
    let pool = Pool { up: true };
    let spec = pool.spec();
    assert_eq!(spec.name, "pool");
    assert_eq!(spec.timeout, Duration::from_millis(250));
    assert_eq!(spec.cache, Duration::from_secs(5));
    assert_eq!(pool.check().await.status(), Status::Healthy);

    let queue = QueueDepth(50);
    assert_eq!(queue.spec().name, "queue_depth");
    assert_eq!(queue.spec().probe, Probe::Liveness);
    assert!(!queue.spec().critical);
    assert_eq!(queue.check().await.status(), Status::Unhealthy);

    let checks = HealthRegistry::new();
    checks.register(pool).unwrap();
    checks.register(queue).unwrap();
    assert_eq!(checks.report(Probe::Liveness).await.status, Status::Degraded);
}
