//! `examples/grafana/dashboards/` holds the dashboards the generator writes for a
//! service like the quickstart's: this test fails when they are out of date (run it
//! with `MONITOR_UPDATE_EXAMPLES=1` to rewrite them), and checks the provisioning
//! files beside them.

use std::path::PathBuf;
use std::time::Duration;

use monitor_runtime::alerts::Objective;
use monitor_runtime::grafana::{self, BusinessMetric, Service};
use monitor_runtime::model::Kind;
use serde_json::Value;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/grafana")
}

/// The quickstart's business metrics and objective.
fn quickstart() -> Service {
    Service::new("monitor")
        .business(BusinessMetric::new(
            "user_signups_total",
            Kind::Counter,
            "Completed sign-ups, by plan.",
        ))
        .business(BusinessMetric::new(
            "login_failures_total",
            Kind::Counter,
            "Failed logins, by reason.",
        ))
        .business(BusinessMetric::new(
            "sessions_active",
            Kind::Gauge,
            "Sessions currently open.",
        ))
        .business(BusinessMetric::new(
            "order_value_euros",
            Kind::Histogram,
            "Value of placed orders, in euros, by plan.",
        ))
        .objective(
            Objective::new("place_order", "quickstart::orders", "place_order")
                .success(0.99)
                .latency(Duration::from_millis(250), 0.95),
        )
}

#[test]
fn the_example_dashboards_are_current() {
    let update = std::env::var_os("MONITOR_UPDATE_EXAMPLES").is_some();
    let dir = examples().join("dashboards");
    for dashboard in grafana::dashboards(&quickstart()) {
        let slug = dashboard["uid"]
            .as_str()
            .unwrap()
            .trim_start_matches("monitor-")
            .to_owned();
        let path = dir.join(format!("{slug}.json"));
        let text = serde_json::to_string_pretty(&dashboard).unwrap() + "\n";
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let stored = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let stored: Value = serde_json::from_str(&stored).unwrap();
        assert_eq!(
            stored,
            dashboard,
            "{} is out of date: run this test with MONITOR_UPDATE_EXAMPLES=1",
            path.display()
        );
    }
}

#[test]
fn the_provisioning_files_are_valid() {
    let provisioning = examples().join("provisioning");
    let datasources: Value = serde_norway::from_str(
        &std::fs::read_to_string(provisioning.join("datasources/prometheus.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(datasources["apiVersion"], 1);
    assert_eq!(datasources["datasources"][0]["type"], "prometheus");
    let dashboards: Value = serde_norway::from_str(
        &std::fs::read_to_string(provisioning.join("dashboards/monitor.yaml")).unwrap(),
    )
    .unwrap();
    let provider = &dashboards["providers"][0];
    assert_eq!(provider["type"], "file");
    assert!(provider["options"]["path"].as_str().is_some());
}
