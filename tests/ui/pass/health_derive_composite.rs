// Generated code must not depend on the caller's prelude.
#![allow(dead_code)]
type Result = ();
type Option = ();
type Box = ();
type Vec = ();
struct Ok;
struct Some;
struct None;

use monitor_runtime::HealthCheck;
use monitor_runtime::health::{HealthCheck as _, Status};

#[derive(HealthCheck)]
#[health(check = ok)]
struct Part {
    up: bool,
}

impl Part {
    fn ok(&self) -> bool {
        self.up
    }
}

#[derive(HealthCheck)]
#[health(name = "dependencies", readiness)]
struct Dependencies {
    #[health(critical)]
    primary: Part,
    #[health(critical = false, name = "replica")]
    secondary: Part,
    #[health(skip)]
    region: &'static str,
}

#[derive(HealthCheck)]
struct Pair(Part, #[health(critical = false)] Part);

#[tokio::main]
async fn main() {
    let dependencies = Dependencies {
        primary: Part { up: true },
        secondary: Part { up: false },
        region: "eu",
    };
    let health = dependencies.check().await;
    assert_eq!(health.status(), Status::Degraded);
    let names: std::vec::Vec<&str> = health.components().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["primary", "replica"]);

    let pair = Pair(Part { up: false }, Part { up: true });
    assert_eq!(pair.spec().name, "pair");
    assert_eq!(pair.check().await.status(), Status::Unhealthy);
}
