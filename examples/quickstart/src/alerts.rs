//! The quickstart's alerts: what its code declares, an objective on placing orders,
//! the default service alerts, and a spike of failed logins. `--print-rules` prints
//! them as a Prometheus rule file; the exporter serves them at `/alerts/rules.yml`,
//! and the embedded evaluator runs them in the process (`/alerts`).

use std::time::Duration;

use monitor_runtime::Background;
use monitor_runtime::alerts::{
    AlertSet, BusinessAlert, EmbeddedAlerts, Objective, ServiceAlerts, Severity,
};

/// The definitions.
pub fn definitions() -> AlertSet {
    AlertSet::annotated("quickstart")
        .objective(
            Objective::new("place_order", "quickstart::orders", "place_order")
                .success(0.99)
                .latency(Duration::from_millis(250), 0.95),
        )
        .service_alerts(ServiceAlerts::default().job("quickstart"))
        .business(
            BusinessAlert::rate_above("login_failures_total", 5.0)
                .window(Duration::from_secs(300))
                .severity(Severity::Critical),
        )
        .business(
            BusinessAlert::rate_below("user_signups_total", 0.0001)
                .window(Duration::from_secs(3600))
                .for_(Duration::from_secs(600)),
        )
}

/// Starts the embedded evaluator, so that `/alerts` shows what would fire with no
/// Prometheus around; with `MONITOR_ALERTMANAGER_URL` set, it posts to that
/// Alertmanager too.
pub fn start_embedded() -> Background {
    let mut config = EmbeddedAlerts::new();
    if let Ok(url) = std::env::var("MONITOR_ALERTMANAGER_URL") {
        config = config.alertmanager(&url);
    }
    config.start()
}
