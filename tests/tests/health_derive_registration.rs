//! A `#[derive(HealthCheck)]` type no value of which is ever registered is reported
//! after the first health report (logged, and printed to stderr when no `tracing`
//! subscriber would show it), instead of being silently absent from every probe. A
//! type registered directly, behind an `Arc`, or as a part of a registered
//! composite is not.

use std::sync::Arc;

use monitor_runtime::HealthCheck;
use monitor_runtime::health::{self, HealthRegistry, Probe};
use monitor_tests::process::{is_child, stderr_of_alone};

/// Never constructed, so never registered: the point of the test.
#[allow(dead_code)]
#[derive(HealthCheck)]
#[health(check = ping, liveness)]
struct Forgotten;

#[derive(HealthCheck)]
#[health(check = ping, liveness)]
struct Direct;

#[derive(HealthCheck)]
#[health(check = ping)]
struct Primary;

/// A readiness composite: a liveness report does not run it, yet its part counts
/// as registered with it.
#[derive(HealthCheck)]
struct Storage {
    primary: Primary,
}

#[allow(dead_code)]
impl Forgotten {
    fn ping(&self) -> bool {
        true
    }
}

impl Direct {
    fn ping(&self) -> bool {
        true
    }
}

impl Primary {
    fn ping(&self) -> bool {
        true
    }
}

/// Set in the child process, which has no subscriber.
const CHILD: &str = "MONITOR_TEST_DERIVED_REGISTRATION_CHILD";
const TEST: &str = "a_derived_check_never_registered_is_reported_once";

#[test]
fn a_derived_check_never_registered_is_reported_once() {
    if is_child(CHILD) {
        health::register(Arc::new(Direct)).unwrap();
        health::register(Storage { primary: Primary }).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let global = HealthRegistry::global();
            for _ in 0..3 {
                global.report(Probe::Liveness).await;
            }
        });
        return;
    }
    let stderr = stderr_of_alone(TEST, CHILD);
    let reports: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("derives `HealthCheck`"))
        .collect();
    assert_eq!(reports.len(), 1, "{stderr}");
    assert!(reports[0].contains("`Forgotten`"), "{stderr}");
    assert!(
        reports[0].contains("tests/tests/health_derive_registration.rs:"),
        "{stderr}"
    );
    assert!(reports[0].contains("health::register"), "{stderr}");
}
