//! The quickstart with everything of issue 16 on: `--json-logs` makes its log lines
//! JSON, and its exposition (pool, cache, tokio runtime, outgoing calls next to the
//! rest) passes `promtool check metrics` with no finding. Its orders call its stock
//! service through the client layer in one trace: the order's log line and the
//! stock service's carry the same trace id, the one the workload's `traceparent`
//! started.

use std::time::{Duration, Instant};

use monitor_tests::quickstart::{self, Quickstart};
use monitor_tests::{find, http, parse_samples, promtool, tools};

#[tokio::test(flavor = "multi_thread")]
async fn the_quickstart_logs_json_and_exposes_pools_cache_runtime_and_calls() {
    let binary = quickstart::build();
    let mut quickstart = Quickstart::spawn(&binary, &["--addr", "127.0.0.1:0", "--json-logs"]);
    let metrics_url = quickstart.url_of("metrics");
    quickstart.wait_for_line(|line| line.contains("Ctrl-C"));

    // Wait (bounded) until the catalogue, its cache and the peer calls have run.
    let deadline = Instant::now() + Duration::from_secs(90);
    let text = loop {
        let text = http::get(&metrics_url).await.unwrap().body;
        let samples = parse_samples(&text);
        let positive = |name: &str, labels: &[(&str, &str)]| {
            find(&samples, name, labels).is_some_and(|value| value > 0.0)
        };
        if positive("cache_hits_total", &[("cache", "prices")])
            && positive("cache_misses_total", &[("cache", "prices")])
            && positive(
                "db_client_connection_wait_time_seconds_count",
                &[("pool", "catalogue")],
            )
            && positive(
                "http_client_request_duration_seconds_count",
                &[
                    ("server_address", "127.0.0.1"),
                    ("http_response_status_code", "200"),
                ],
            )
            && positive("tokio_workers", &[("runtime", "main")])
        {
            break text;
        }
        assert!(
            Instant::now() < deadline,
            "the catalogue, cache and peer calls did not show:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(
        text.contains(r#"db_client_connections_max{pool="catalogue"} 4"#),
        "{text}"
    );
    assert!(
        text.contains(r#"health_check_status{check="catalogue-db""#),
        "{text}"
    );
    if tools::require("promtool") {
        assert_eq!(promtool::check_metrics(&text), Vec::<String>::new());
    }

    quickstart.interrupt();
    let status = quickstart.wait();
    assert!(status.success(), "{status}: {:#?}", quickstart.printed);
    // Log lines are JSON objects (the URLs and notices the quickstart prints for a
    // reader are plain text).
    let logs: Vec<serde_json::Value> = quickstart
        .printed
        .iter()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect();
    assert!(
        logs.iter()
            .any(|line| line["message"] == "monitor: serving /metrics and /dashboard"),
        "{:#?}",
        quickstart.printed
    );
    for line in &logs {
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{line}"
        );
    }
    assert!(
        quickstart
            .printed
            .iter()
            .all(|line| line.starts_with('{') || !line.contains("\"level\"")),
        "a log line is not JSON: {:#?}",
        quickstart.printed
    );

    // One trace from the workload's request through the order to the stock
    // service: the stock request is a span of its own (another span id).
    let lines_of = |message: &str| -> Vec<&serde_json::Value> {
        logs.iter()
            .filter(|line| line["message"] == message)
            .collect()
    };
    let orders = lines_of("placing an order");
    let stock = lines_of("stock checked");
    assert!(
        !orders.is_empty() && !stock.is_empty(),
        "{:#?}",
        quickstart.printed
    );
    let joined = orders.iter().find_map(|order| {
        stock
            .iter()
            .find(|stock| stock["trace_id"] == order["trace_id"])
            .map(|stock| (order, stock))
    });
    let (order, stock) = joined.unwrap_or_else(|| {
        panic!(
            "no order shares its trace with a stock request: {:#?}",
            quickstart.printed
        )
    });
    let trace_id = order["trace_id"].as_str().unwrap();
    assert!(
        trace_id.len() == 32
            && trace_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{trace_id}"
    );
    assert_ne!(order["span_id"], stock["span_id"]);
    assert_eq!(order["span"]["http.route"], "/orders");
    assert_eq!(stock["span"]["http.route"], "/stock/{product}");
}
