//! The generated rules through the real `promtool`: `check rules` finds nothing, and
//! `test rules` cases, built from the same typed model, show that every kind of
//! alert fires at the expected time for a bad scenario and stays silent for a
//! healthy one (simulated time: the 3-day window of the ticket alert is covered).

use std::collections::BTreeMap;
use std::time::Duration;

use monitor_runtime::alerts::{
    AlertSet, AlertingRule, BusinessAlert, Objective, RuleFile, ServiceAlerts, Severity,
};
use monitor_tests::tools;
use serde::Serialize;

#[derive(Serialize)]
struct TestFile {
    rule_files: Vec<String>,
    evaluation_interval: String,
    tests: Vec<TestGroup>,
}

#[derive(Serialize)]
struct TestGroup {
    name: String,
    interval: String,
    input_series: Vec<Series>,
    alert_rule_test: Vec<AlertTest>,
}

#[derive(Serialize)]
struct Series {
    series: String,
    values: String,
}

#[derive(Serialize)]
struct AlertTest {
    eval_time: String,
    alertname: String,
    exp_alerts: Vec<ExpAlert>,
}

#[derive(Serialize)]
struct ExpAlert {
    exp_labels: BTreeMap<String, String>,
    exp_annotations: BTreeMap<String, String>,
}

fn app() -> AlertSet {
    AlertSet::new("shop")
        .objective(
            Objective::new("checkout", "shop::orders", "checkout")
                .success(0.999)
                .latency(Duration::from_millis(250), 0.99),
        )
        .objective(Objective::http_route("orders_api", "/orders/{id}").success(0.99))
        .service_alerts(
            ServiceAlerts::default()
                .job("shop")
                .memory_limit_bytes(1000),
        )
        .business(
            BusinessAlert::rate_above("login_failures_total", 5.0).severity(Severity::Critical),
        )
        .business(
            BusinessAlert::rate_below("user_signups_total", 0.001)
                .window(Duration::from_secs(3600)),
        )
        .business(BusinessAlert::gauge_above("queue_depth", 100.0))
        .business(BusinessAlert::gauge_below("stock_items", 10.0).named("StockLow"))
}

fn rule<'a>(rules: &'a RuleFile, name: &str) -> &'a AlertingRule {
    rules
        .alerts()
        .find(|alert| alert.alert == name)
        .unwrap_or_else(|| panic!("no alert {name}"))
}

/// The alert `name` as promtool expects it: its labels plus `extra`, its annotations
/// with `$value` (and its filters) and `$labels.x` replaced.
fn expect(rules: &RuleFile, name: &str, value: &str, extra: &[(&str, &str)]) -> ExpAlert {
    let alert = rule(rules, name);
    let mut labels = alert.labels.clone();
    for (key, label) in extra {
        labels.insert((*key).to_owned(), (*label).to_owned());
    }
    let annotations = alert
        .annotations
        .iter()
        .map(|(key, template)| {
            let mut text = template.clone();
            for filter in [
                "{{ $value | humanizePercentage }}",
                "{{ $value | humanizeDuration }}",
                "{{ $value }}",
            ] {
                text = text.replace(filter, value);
            }
            for (label, label_value) in &labels {
                text = text.replace(&format!("{{{{ $labels.{label} }}}}"), label_value);
            }
            assert!(!text.contains("{{"), "template left in {text}");
            (key.clone(), text)
        })
        .collect();
    ExpAlert {
        exp_labels: labels,
        exp_annotations: annotations,
    }
}

fn series(series: &str, values: &str) -> Series {
    Series {
        series: series.to_owned(),
        values: values.to_owned(),
    }
}

const CHECKOUT: &str = r#"function="checkout",module="shop::orders""#;
const ORDERS: &str = r#"http_request_method="GET",http_route="/orders/{id}""#;

/// Bad and healthy input series: the same names, with values that break each alert
/// or not.
fn inputs(bad: bool) -> Vec<Series> {
    let pick = |bad_values: &str, good_values: &str| {
        if bad {
            bad_values.to_owned()
        } else {
            good_values.to_owned()
        }
    };
    vec![
        series(
            &format!("function_calls_total{{{CHECKOUT},result=\"error\"}}"),
            &pick("0+30x4400", "0+0x4400"),
        ),
        series(
            &format!("function_calls_total{{{CHECKOUT},result=\"ok\"}}"),
            "0+30x4400",
        ),
        series(
            &format!("function_calls_duration_seconds_bucket{{{CHECKOUT},le=\"0.25\"}}"),
            &pick("0+30x4400", "0+60x4400"),
        ),
        series(
            &format!("function_calls_duration_seconds_bucket{{{CHECKOUT},le=\"2.5\"}}"),
            &pick("0+30x4400", "0+60x4400"),
        ),
        series(
            &format!("function_calls_duration_seconds_bucket{{{CHECKOUT},le=\"5\"}}"),
            "0+60x4400",
        ),
        series(
            &format!("function_calls_duration_seconds_bucket{{{CHECKOUT},le=\"+Inf\"}}"),
            "0+60x4400",
        ),
        series(
            &format!("function_calls_duration_seconds_count{{{CHECKOUT}}}"),
            "0+60x4400",
        ),
        series(
            &format!(
                "http_server_request_duration_seconds_count{{{ORDERS},http_response_status_code=\"500\"}}"
            ),
            &pick("0+30x4400", "0+0x4400"),
        ),
        series(
            &format!(
                "http_server_request_duration_seconds_count{{{ORDERS},http_response_status_code=\"200\"}}"
            ),
            "0+30x4400",
        ),
        series(
            r#"health_check_status{check="database",probe="readiness",status="unhealthy"}"#,
            &pick("1x100", "0x100"),
        ),
        series(
            r#"health_check_status{check="disk_space",probe="readiness",status="degraded"}"#,
            &pick("1x100", "0x100"),
        ),
        series(
            r#"up{job="shop",instance="shop:9898"}"#,
            &pick("0x100", "1x100"),
        ),
        series(
            r#"process_resident_memory_bytes{job="shop",instance="shop:9898"}"#,
            &pick("950x100", "500x100"),
        ),
        series(
            r#"process_cpu_seconds_total{job="shop",instance="shop:9898"}"#,
            &pick("0+60x100", "0+6x100"),
        ),
        series(
            r#"process_open_fds{job="shop",instance="shop:9898"}"#,
            &pick("95x100", "10x100"),
        ),
        series(
            r#"process_max_fds{job="shop",instance="shop:9898"}"#,
            "100x100",
        ),
        series(
            r#"monitor_label_overflow_total{metric="orders_total"}"#,
            &pick("0+1x100", "0x100"),
        ),
        series("monitor_registration_problems", &pick("2x100", "0x100")),
        series("login_failures_total", &pick("0+600x100", "0+6x100")),
        series("user_signups_total", &pick("5x100", "0+60x100")),
        series("queue_depth", &pick("150x100", "3x100")),
        series("stock_items", &pick("2x100", "50x100")),
    ]
}

/// One case: (alert, when it is still pending or silent, when it fires, its value, labels the
/// expression adds).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

/// Every alert of [`app`]'s rules.
fn cases() -> Vec<Case> {
    let function = vec![("function", "checkout"), ("module", "shop::orders")];
    let instance = vec![("job", "shop"), ("instance", "shop:9898")];
    let route = vec![("http_route", "/orders/{id}")];
    vec![
        (
            "OrdersApiErrorBudgetBurnPage",
            "0m",
            "10m",
            "50%",
            route.clone(),
        ),
        ("OrdersApiErrorBudgetBurnTicket", "0m", "3d1h", "50%", route),
        (
            "CheckoutErrorBudgetBurnPage",
            "0m",
            "10m",
            "50%",
            function.clone(),
        ),
        (
            "CheckoutErrorBudgetBurnTicket",
            "0m",
            "3d1h",
            "50%",
            function.clone(),
        ),
        (
            "CheckoutLatencyBudgetBurnPage",
            "0m",
            "10m",
            "50%",
            function.clone(),
        ),
        (
            "CheckoutLatencyBudgetBurnTicket",
            "0m",
            "3d1h",
            "50%",
            function.clone(),
        ),
        (
            "FunctionErrorRatioCritical",
            "4m",
            "15m",
            "50%",
            function.clone(),
        ),
        (
            "FunctionErrorRatioWarning",
            "9m",
            "20m",
            "50%",
            function.clone(),
        ),
        (
            "FunctionLatencyP95Critical",
            "9m",
            "20m",
            "4.75s",
            function.clone(),
        ),
        ("FunctionLatencyP95Warning", "14m", "25m", "4.75s", function),
        (
            "HealthCheckUnhealthy",
            "0m",
            "5m",
            "1",
            vec![("check", "database"), ("probe", "readiness")],
        ),
        (
            "TargetDown",
            "0m",
            "5m",
            "0",
            vec![("job", "shop"), ("instance", "shop:9898")],
        ),
        (
            "ProcessMemoryNearLimit",
            "9m",
            "20m",
            "95%",
            instance.clone(),
        ),
        (
            "ProcessCpuNearLimit",
            "14m",
            "30m",
            "100%",
            instance.clone(),
        ),
        (
            "ProcessFileDescriptorsNearLimit",
            "4m",
            "10m",
            "95%",
            instance,
        ),
        (
            "DiskSpaceLow",
            "4m",
            "10m",
            "1",
            vec![("check", "disk_space")],
        ),
        (
            "BusinessLabelOverflow",
            "0m",
            "10m",
            "5",
            vec![("metric", "orders_total")],
        ),
        ("RegistrationProblems", "0m", "5m", "2", vec![]),
        ("LoginFailuresTotalRateAbove", "0m", "10m", "10", vec![]),
        ("UserSignupsTotalRateBelow", "-", "1h", "0", vec![]),
        ("QueueDepthAbove", "-", "5m", "150", vec![]),
        ("StockLow", "-", "5m", "2", vec![]),
    ]
}

#[test]
fn check_rules_finds_nothing() {
    if !tools::require("promtool") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yml");
    std::fs::write(&path, app().rules().to_yaml()).unwrap();
    let (ok, text) = tools::run("promtool", &["check", "rules", path.to_str().unwrap()]);
    assert!(ok, "promtool check rules failed:\n{text}");
    assert!(text.contains("SUCCESS"), "{text}");
    assert!(
        !text.contains("WARNING") && !text.contains("lint"),
        "findings:\n{text}"
    );
}

#[test]
fn every_alert_fires_for_the_bad_scenario_and_stays_silent_for_the_healthy_one() {
    if !tools::require("promtool") {
        return;
    }
    let rules = app().rules();
    let names: Vec<String> = rules.alerts().map(|alert| alert.alert.clone()).collect();
    let cases = cases();
    for name in &names {
        assert!(
            cases.iter().any(|case| case.0 == name),
            "no promtool case for {name}"
        );
    }
    let mut bad = Vec::new();
    let mut healthy = Vec::new();
    for (name, quiet, fires, value, extra) in &cases {
        if *quiet != "-" {
            bad.push(AlertTest {
                eval_time: (*quiet).to_owned(),
                alertname: (*name).to_owned(),
                exp_alerts: vec![],
            });
        }
        bad.push(AlertTest {
            eval_time: (*fires).to_owned(),
            alertname: (*name).to_owned(),
            exp_alerts: vec![expect(&rules, name, value, extra)],
        });
        healthy.push(AlertTest {
            eval_time: (*fires).to_owned(),
            alertname: (*name).to_owned(),
            exp_alerts: vec![],
        });
    }
    let file = TestFile {
        rule_files: vec!["rules.yml".to_owned()],
        evaluation_interval: "1m".to_owned(),
        tests: vec![
            TestGroup {
                name: "bad".to_owned(),
                interval: "1m".to_owned(),
                input_series: inputs(true),
                alert_rule_test: bad,
            },
            TestGroup {
                name: "healthy".to_owned(),
                interval: "1m".to_owned(),
                input_series: inputs(false),
                alert_rule_test: healthy,
            },
        ],
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), rules.to_yaml()).unwrap();
    let test_path = dir.path().join("tests.yml");
    std::fs::write(&test_path, serde_norway::to_string(&file).unwrap()).unwrap();
    let (ok, text) = tools::run("promtool", &["test", "rules", test_path.to_str().unwrap()]);
    assert!(ok, "promtool test rules failed:\n{text}");
    assert!(text.contains("SUCCESS"), "{text}");
}

#[test]
fn prometheus_rule_manifest_carries_the_same_groups() {
    let rules = app().rules();
    let yaml = monitor_runtime::kubernetes::Manifests::new("shop")
        .namespace("shop")
        .to_yaml(&rules);
    let manifest = yaml
        .split("---\n")
        .map(|document| serde_norway::from_str::<serde_norway::Value>(document).unwrap())
        .find(|document| document["kind"] == "PrometheusRule")
        .expect("a PrometheusRule among the manifests");
    assert_eq!(manifest["apiVersion"], "monitoring.coreos.com/v1");
    let spec: RuleFile = serde_norway::from_value(manifest["spec"].clone()).unwrap();
    assert_eq!(spec, rules);
}
