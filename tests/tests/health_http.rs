//! The health endpoints over real HTTP: every path, the status mapping, the
//! Kubernetes text formats, unknown names and tokens. Each test serves its own
//! `HealthRegistry` on a free local port.

mod health_common;

use health_common::Server;
use monitor_runtime::HealthCheck;
use monitor_runtime::health::{
    CheckFuture, CheckSpec, Health, HealthCheck as _, HealthRegistry, Probe,
};

/// A check that always answers the same.
struct Fixed {
    spec: CheckSpec,
    health: Health,
}

impl Fixed {
    fn new(name: &'static str, probe: Probe, critical: bool, health: Health) -> Self {
        Self {
            spec: CheckSpec::new(name).probe(probe).critical(critical),
            health,
        }
    }
}

impl monitor_runtime::health::HealthCheck for Fixed {
    fn spec(&self) -> CheckSpec {
        self.spec.clone()
    }

    fn check(&self) -> CheckFuture<'_> {
        let health = self.health.clone();
        Box::pin(async move { health })
    }
}

/// Liveness healthy, readiness with a critical failure and a degraded non-critical
/// part, startup healthy.
fn mixed() -> HealthRegistry {
    let checks = HealthRegistry::new();
    for check in [
        Fixed::new("heartbeat", Probe::Liveness, true, Health::healthy()),
        Fixed::new(
            "database",
            Probe::Readiness,
            true,
            Health::unhealthy("connection refused").with_detail("host", "db-1"),
        ),
        Fixed::new(
            "cache",
            Probe::Readiness,
            false,
            Health::unhealthy("cache timed out"),
        ),
        Fixed::new("migrations", Probe::Startup, true, Health::healthy()),
    ] {
        checks.register(check).unwrap();
    }
    checks
}

#[tokio::test]
async fn probe_endpoints_map_statuses_to_codes() {
    let checks = mixed();
    let server = Server::start(checks.routes()).await;

    let live = server.get("/health/live").await;
    assert_eq!(live.status, 200);
    assert_eq!(live.header("content-type"), Some("application/json"));
    assert_eq!(live.header("cache-control"), Some("no-store"));
    let live = live.json();
    assert_eq!(live["status"], "healthy");
    assert_eq!(live["probe"], "liveness");
    assert_eq!(live["checks"]["heartbeat"]["status"], "healthy");
    assert!(live["checks"].get("database").is_none());

    let ready = server.get("/health/ready").await;
    assert_eq!(ready.status, 503);
    let ready = ready.json();
    assert_eq!(ready["status"], "unhealthy");
    assert_eq!(ready["reason"], "not healthy: database, cache");
    let database = &ready["checks"]["database"];
    assert_eq!(database["status"], "unhealthy");
    assert_eq!(database["reason"], "connection refused");
    assert_eq!(database["details"]["host"], "db-1");
    assert_eq!(database["critical"], true);
    assert_eq!(database["probe"], "readiness");
    assert!(database["duration_seconds"].as_f64().unwrap() >= 0.0);
    let last_run = database["last_run"].as_str().unwrap();
    assert!(
        last_run.ends_with('Z') && last_run.contains('T'),
        "{last_run}"
    );
    assert_eq!(ready["checks"]["cache"]["status"], "unhealthy");
    assert_eq!(ready["checks"]["cache"]["critical"], false);

    let startup = server.get("/health/startup").await;
    assert_eq!(startup.status, 200);
    assert_eq!(startup.json()["checks"]["migrations"]["status"], "healthy");

    let all = server.get("/health").await;
    assert_eq!(all.status, 503);
    let all = all.json();
    assert_eq!(all["status"], "unhealthy");
    assert_eq!(all["ready"], true);
    let names: Vec<&String> = all["checks"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["cache", "database", "heartbeat", "migrations"]);
    server.stop().await;
}

#[tokio::test]
async fn a_failing_non_critical_check_degrades_with_200() {
    let checks = HealthRegistry::new();
    checks
        .register(Fixed::new(
            "primary",
            Probe::Readiness,
            true,
            Health::healthy(),
        ))
        .unwrap();
    checks
        .register(Fixed::new(
            "search",
            Probe::Readiness,
            false,
            Health::unhealthy("index offline"),
        ))
        .unwrap();
    checks
        .register(Fixed::new(
            "lag",
            Probe::Liveness,
            true,
            Health::degraded("replica lag 12 s"),
        ))
        .unwrap();
    let server = Server::start(checks.routes()).await;

    let ready = server.get("/health/ready").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json()["status"], "degraded");
    let live = server.get("/health/live").await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["status"], "degraded");
    let readyz = server.get("/readyz").await;
    assert_eq!((readyz.status, readyz.body.as_str()), (200, "ok\n"));
    server.stop().await;
}

#[tokio::test]
async fn without_checks_every_probe_is_the_process_answering() {
    let server = Server::start(HealthRegistry::new().routes()).await;
    for path in [
        "/health",
        "/health/live",
        "/health/ready",
        "/health/startup",
    ] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.json()["status"], "healthy", "{path}");
    }
    for path in ["/livez", "/readyz"] {
        let reply = server.get(path).await;
        assert_eq!((reply.status, reply.body.as_str()), (200, "ok\n"), "{path}");
        assert_eq!(
            reply.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
    let verbose = server.get("/livez?verbose").await;
    assert_eq!(verbose.body, "livez check passed\n");
    server.stop().await;
}

#[tokio::test]
async fn one_check_by_name_and_unknown_names() {
    let server = Server::start(mixed().routes()).await;

    let database = server.get("/health/database").await;
    assert_eq!(database.status, 503);
    let database = database.json();
    assert_eq!(database["status"], "unhealthy");
    assert_eq!(database["reason"], "connection refused");

    let heartbeat = server.get("/health/heartbeat").await;
    assert_eq!(heartbeat.status, 200);
    assert_eq!(heartbeat.json()["probe"], "liveness");

    // A non-critical check asked for by name reports its own status.
    assert_eq!(server.get("/health/cache").await.status, 503);

    let unknown = server.get("/health/nope").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.header("content-type"), Some("application/json"));
    let unknown = unknown.json();
    assert_eq!(unknown["error"], "no health check named `nope`");
    assert_eq!(
        unknown["checks"],
        serde_json::json!(["heartbeat", "database", "cache", "migrations"])
    );
    server.stop().await;
}

#[tokio::test]
async fn livez_and_readyz_verbose_and_exclude() {
    let server = Server::start(mixed().routes()).await;

    let livez = server.get("/livez").await;
    assert_eq!((livez.status, livez.body.as_str()), (200, "ok\n"));
    let livez = server.get("/livez?verbose").await;
    assert_eq!(livez.status, 200);
    assert_eq!(livez.body, "[+]heartbeat ok\nlivez check passed\n");

    // A failing probe lists its checks even without `verbose`.
    let readyz = server.get("/readyz").await;
    assert_eq!(readyz.status, 503);
    assert_eq!(
        readyz.body,
        "[-]database failed: connection refused\n[-]cache failed: cache timed out\nreadyz check failed\n"
    );
    let verbose = server.get("/readyz?verbose=true").await;
    assert_eq!(verbose.body, readyz.body);

    let excluded = server.get("/readyz?verbose&exclude=database").await;
    assert_eq!(excluded.status, 200);
    assert_eq!(
        excluded.body,
        "[-]cache failed: cache timed out\n[+]database excluded: ok\nreadyz check passed\n"
    );
    let both = server.get("/readyz?exclude=database&exclude=cache").await;
    assert_eq!((both.status, both.body.as_str()), (200, "ok\n"));
    let both = server
        .get("/readyz?exclude=database&exclude=cache&verbose")
        .await;
    assert_eq!(
        both.body,
        "[+]database excluded: ok\n[+]cache excluded: ok\nreadyz check passed\n"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_token_hides_details_from_unauthenticated_callers() {
    let checks = mixed();
    checks.set_token(Some("s3cret".to_owned()));
    let server = Server::start(checks.routes()).await;

    let anonymous = server.get("/health").await;
    assert_eq!(anonymous.status, 503);
    assert_eq!(anonymous.json(), serde_json::json!({"status": "unhealthy"}));
    let wrong = server.get_with_token("/health/ready", "guess").await;
    assert_eq!(wrong.status, 503);
    assert_eq!(wrong.json(), serde_json::json!({"status": "unhealthy"}));
    let one = server.get("/health/database").await;
    assert_eq!(one.json(), serde_json::json!({"status": "unhealthy"}));
    let unknown = server.get("/health/nope").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json(),
        serde_json::json!({"error": "no health check named `nope`"})
    );
    let readyz = server.get("/readyz?verbose").await;
    assert_eq!(
        readyz.body,
        "[-]database failed: reason withheld\n[-]cache failed: reason withheld\nreadyz check failed\n"
    );

    let authorised = server.get_with_token("/health", "s3cret").await;
    assert_eq!(authorised.status, 503);
    assert_eq!(
        authorised.json()["checks"]["database"]["reason"],
        "connection refused"
    );
    let readyz = server.get_with_token("/readyz?verbose", "s3cret").await;
    assert!(
        readyz
            .body
            .contains("[-]database failed: connection refused\n")
    );

    checks.set_token(None);
    let open = server.get("/health/database").await;
    assert_eq!(open.json()["reason"], "connection refused");
    server.stop().await;
}

#[tokio::test]
async fn the_application_can_take_itself_out_of_readiness() {
    let checks = HealthRegistry::new();
    checks
        .register(Fixed::new(
            "database",
            Probe::Readiness,
            true,
            Health::healthy(),
        ))
        .unwrap();
    let server = Server::start(checks.routes()).await;
    assert_eq!(server.get("/health/ready").await.status, 200);

    checks.set_ready(false);
    let ready = server.get("/health/ready").await;
    assert_eq!(ready.status, 503);
    let ready = ready.json();
    assert_eq!(ready["reason"], "the application marked itself not ready");
    assert_eq!(ready["ready"], false);
    assert_eq!(ready["checks"]["database"]["status"], "healthy");
    let readyz = server.get("/readyz").await;
    assert_eq!(readyz.status, 503);
    assert_eq!(
        readyz.body,
        "[-]ready failed: the application marked itself not ready\n[+]database ok\nreadyz check failed\n"
    );
    // Liveness does not follow: the process must not be restarted while draining.
    assert_eq!(server.get("/health/live").await.status, 200);
    assert_eq!(server.get("/livez").await.status, 200);

    checks.set_ready(true);
    assert_eq!(server.get("/readyz").await.status, 200);
    server.stop().await;
}

#[derive(HealthCheck)]
#[health(name = "replica", check = lag_ok)]
struct Replica {
    lag_seconds: u32,
}

impl Replica {
    async fn lag_ok(&self) -> Health {
        if self.lag_seconds < 10 {
            Health::healthy().with_detail("lag_seconds", self.lag_seconds)
        } else {
            Health::unhealthy(format!("lag {} s", self.lag_seconds))
        }
    }
}

#[derive(HealthCheck)]
#[health(name = "storage", liveness)]
struct Storage {
    primary: Replica,
    #[health(critical = false, name = "secondary")]
    standby: Replica,
    #[health(skip)]
    _region: &'static str,
}

#[tokio::test]
async fn a_composite_answers_a_json_tree() {
    let checks = HealthRegistry::new();
    let storage = Storage {
        primary: Replica { lag_seconds: 1 },
        standby: Replica { lag_seconds: 30 },
        _region: "eu",
    };
    assert_eq!(storage.spec().probe, Probe::Liveness);
    checks.register(storage).unwrap();
    let server = Server::start(checks.routes()).await;

    let live = server.get("/health/live").await;
    assert_eq!(live.status, 200);
    let live = live.json();
    let storage = &live["checks"]["storage"];
    assert_eq!(storage["status"], "degraded");
    assert_eq!(storage["reason"], "not healthy: secondary");
    assert_eq!(storage["checks"]["primary"]["status"], "healthy");
    assert_eq!(storage["checks"]["primary"]["critical"], true);
    assert_eq!(storage["checks"]["primary"]["details"]["lag_seconds"], "1");
    assert_eq!(storage["checks"]["secondary"]["status"], "unhealthy");
    assert_eq!(storage["checks"]["secondary"]["reason"], "lag 30 s");
    assert_eq!(storage["checks"]["secondary"]["critical"], false);
    assert!(storage["checks"].get("_region").is_none());

    let livez = server.get("/livez?verbose").await;
    assert_eq!(
        livez.body,
        "[+]storage degraded: not healthy: secondary\nlivez check passed\n"
    );
    server.stop().await;
}
