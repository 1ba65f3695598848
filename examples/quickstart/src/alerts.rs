//! The quickstart's alerts: an objective on placing orders, the default service
//! alerts, and a spike of failed logins. `--print-rules` prints them as a
//! Prometheus rule file; the exporter serves them at `/alerts/rules.yml`.

use std::time::Duration;

use monitor_runtime::alerts::{AlertSet, BusinessAlert, Objective, ServiceAlerts, Severity};

/// The definitions.
pub fn definitions() -> AlertSet {
    AlertSet::new("quickstart")
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
