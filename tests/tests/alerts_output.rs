//! The rules for production: `GET /alerts/rules.yml` serves the configured
//! definitions, the quickstart prints its own with `--print-rules` and `promtool
//! check rules` finds nothing in them, and the example Alertmanager configuration
//! routes `critical` to the paging receiver and `warning` to the chat receiver.

use std::path::Path;
use std::process::Command;

use monitor_runtime::alerts::{self, AlertSet, BusinessAlert, Objective, RuleFile};
use monitor_tests::server::TestServer;
use monitor_tests::{http, quickstart, tools};

#[test]
fn the_exporter_serves_the_configured_rules() {
    alerts::configure(
        AlertSet::new("test-app")
            .objective(Objective::new("answer", "alerts_output", "answer").success(0.99))
            .business(BusinessAlert::rate_above("login_failures_total", 1.0)),
    );
    let server = TestServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let response = runtime
        .block_on(http::get(&server.url("/alerts/rules.yml")))
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/yaml"));
    let served: RuleFile = serde_norway::from_str(&response.body).unwrap();
    assert_eq!(served, alerts::current().rules());
    assert!(
        served
            .alerts()
            .any(|alert| alert.alert == "AnswerErrorBudgetBurnPage")
    );
    assert!(
        served
            .alerts()
            .any(|alert| alert.alert == "LoginFailuresTotalRateAbove")
    );
}

#[test]
fn the_quickstart_prints_rules_promtool_accepts() {
    let binary = quickstart::build();
    let output = Command::new(&binary).arg("--print-rules").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let rules: RuleFile = serde_norway::from_str(&text).unwrap();
    assert!(
        rules
            .alerts()
            .any(|alert| alert.alert == "PlaceOrderErrorBudgetBurnPage")
    );
    assert!(
        rules
            .alerts()
            .any(|alert| alert.alert == "FunctionErrorRatioCritical")
    );
    if !tools::require("promtool") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quickstart.rules.yml");
    std::fs::write(&path, &text).unwrap();
    let (ok, report) = tools::run("promtool", &["check", "rules", path.to_str().unwrap()]);
    assert!(ok && report.contains("SUCCESS"), "{report}");
    assert!(!report.contains("WARNING"), "{report}");
}

fn alertmanager_config() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/alertmanager/alertmanager.yml")
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn amtool_accepts_the_example_config() {
    if !tools::require("amtool") {
        return;
    }
    let (ok, report) = tools::run("amtool", &["check-config", &alertmanager_config()]);
    assert!(ok && report.contains("SUCCESS"), "{report}");
}

#[test]
fn critical_pages_and_warning_goes_to_chat() {
    if !tools::require("amtool") {
        return;
    }
    let config = format!("--config.file={}", alertmanager_config());
    for (severity, receiver) in [("critical", "paging"), ("warning", "chat")] {
        let label = format!("severity={severity}");
        let (ok, report) = tools::run(
            "amtool",
            &[
                "config",
                "routes",
                "test",
                &config,
                "--verify.receivers",
                receiver,
                &label,
                "function=checkout",
            ],
        );
        assert!(ok, "{severity} is not routed to {receiver}: {report}");
        assert_eq!(
            report.lines().next().map(str::trim),
            Some(receiver),
            "{report}"
        );
    }
}
