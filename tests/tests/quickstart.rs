//! The quickstart example as a newcomer runs it: it prints its URLs, serves
//! `/metrics` that `promtool` accepts, runs a workload with failures, stops on
//! Ctrl-C and after `--exit-after`, and refuses bad arguments clearly.

use std::time::{Duration, Instant};

use monitor_tests::http;
use monitor_tests::quickstart::{self, Quickstart};
use monitor_tests::{find, parse_samples, promtool, tools};

/// Every function the quickstart monitors, as `(module, function)`.
const FUNCTIONS: &[(&str, &str)] = &[
    ("quickstart::orders", "place_order"),
    ("quickstart::orders", "reserve_stock"),
    ("quickstart::orders", "order_total"),
    ("quickstart::orders", "charge_payment"),
    ("quickstart::orders", "send_confirmation"),
    ("quickstart::orders", "restock"),
    ("quickstart::logins", "Accounts::log_in"),
    ("quickstart::logins", "Accounts::is_locked"),
];

fn calls(text: &str, module: &str, function: &str, result: &str) -> Option<f64> {
    find(
        &parse_samples(text),
        "function_calls_total",
        &[
            ("function", function),
            ("module", module),
            ("result", result),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_quickstart_serves_clean_metrics_with_a_failing_workload_until_ctrl_c() {
    let binary = quickstart::build();
    let mut quickstart = Quickstart::spawn(&binary, &["--addr", "127.0.0.1:0"]);
    let metrics_url = quickstart.url_of("metrics");
    let dashboard_url = quickstart.url_of("dashboard");
    assert!(
        metrics_url.starts_with("http://127.0.0.1:"),
        "{metrics_url}"
    );
    assert!(metrics_url.ends_with("/metrics"), "{metrics_url}");
    assert!(dashboard_url.ends_with("/dashboard"), "{dashboard_url}");
    quickstart.wait_for_line(|line| line.contains("Ctrl-C"));

    // Every function is there from the first scrape.
    let first = http::get(&metrics_url).await.unwrap();
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    for (module, function) in FUNCTIONS {
        for result in ["ok", "error"] {
            assert!(
                calls(&first.body, module, function, result).is_some(),
                "{module}::{function} {result} missing from the first scrape"
            );
        }
    }

    // The workload runs and some calls fail: wait (bounded) until logins and
    // orders have both succeeded and failed.
    let deadline = Instant::now() + Duration::from_secs(90);
    let text = loop {
        let text = http::get(&metrics_url).await.unwrap().body;
        let seen = |module, function, result| {
            calls(&text, module, function, result).is_some_and(|value| value > 0.0)
        };
        if seen("quickstart::logins", "Accounts::log_in", "ok")
            && seen("quickstart::logins", "Accounts::log_in", "error")
            && seen("quickstart::orders", "place_order", "ok")
            && seen("quickstart::orders", "place_order", "error")
        {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "the workload shows no mix of successes and failures:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    // The shop's API is measured by route template, from start-up; the workload's
    // requests to unknown paths add no series of their own.
    assert!(
        text.contains(r#"http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="200",http_route="/orders"}"#)
            || text.contains(r#"http_route="/orders"}"#),
        "no series of POST /orders:\n{text}"
    );
    assert!(text.contains(r#"http_route="/logins/{user}""#), "{text}");
    assert!(
        !text.contains("wp-login"),
        "a raw path became a label:\n{text}"
    );
    assert!(!text.contains(r#"http_route="/metrics""#), "{text}");
    // The whole exposition, process metrics included, passes promtool.
    assert!(text.contains("process_cpu_seconds_total"));
    if tools::require("promtool") {
        assert_eq!(promtool::check_metrics(&text), Vec::<String>::new());
    }
    // Its OpenMetrics exposition, with the orders' exemplars, passes an independent
    // strict parser.
    let openmetrics = http::request_with(
        hyper::Method::GET,
        &metrics_url,
        &[("accept", "application/openmetrics-text;version=1.0.0")],
    )
    .await
    .unwrap()
    .body;
    assert!(openmetrics.ends_with("# EOF\n"));
    assert!(openmetrics.contains(" # {"), "no exemplar:\n{openmetrics}");
    if let Some(parsed) = monitor_tests::formats::check_openmetrics(&openmetrics) {
        parsed.unwrap_or_else(|error| panic!("{error}\n{openmetrics}"));
    }

    let dashboard = http::get(&dashboard_url).await.unwrap();
    assert_eq!(dashboard.status, 200);
    for (_, function) in FUNCTIONS {
        assert!(
            dashboard.body.contains(function),
            "{function} not on the dashboard"
        );
    }

    quickstart.interrupt();
    let status = quickstart.wait();
    assert!(status.success(), "{status}: {:#?}", quickstart.printed);
    assert!(
        quickstart
            .printed
            .iter()
            .any(|line| line == "quickstart: stopped"),
        "{:#?}",
        quickstart.printed
    );
    assert!(
        http::get(&metrics_url).await.is_err(),
        "still serving after Ctrl-C"
    );
}

#[test]
fn the_quickstart_stops_by_itself_after_exit_after() {
    let binary = quickstart::build();
    let mut quickstart =
        Quickstart::spawn(&binary, &["--addr", "127.0.0.1:0", "--exit-after", "1"]);
    quickstart.wait_for_line(|line| line == "stopping after 1 s");
    let status = quickstart.wait();
    assert!(status.success(), "{status}: {:#?}", quickstart.printed);
    assert_eq!(
        quickstart.printed.last().map(String::as_str),
        Some("quickstart: stopped")
    );
}

#[test]
fn the_quickstart_refuses_bad_arguments_with_usage() {
    let binary = quickstart::build();
    for (args, message) in [
        (&["--addr", "nowhere"][..], "`--addr nowhere`"),
        (
            &["--exit-after", "soon"][..],
            "`--exit-after soon`: expected a number of seconds",
        ),
        (&["--addr"][..], "`--addr` needs a value"),
        (&["--verbose"][..], "unknown argument `--verbose`"),
    ] {
        let mut quickstart = Quickstart::spawn(&binary, args);
        let status = quickstart.wait();
        assert_eq!(status.code(), Some(2), "{args:?}");
        let printed = quickstart.printed.join("\n");
        assert!(printed.contains(message), "{args:?}: {printed}");
        assert!(printed.contains("usage: quickstart"), "{args:?}: {printed}");
    }
}

#[test]
fn the_quickstart_reports_a_taken_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let binary = quickstart::build();
    let mut quickstart = Quickstart::spawn(&binary, &["--addr", &addr]);
    let status = quickstart.wait();
    assert_eq!(status.code(), Some(1));
    let printed = quickstart.printed.join("\n");
    assert!(printed.contains("could not bind the exporter"), "{printed}");
}
