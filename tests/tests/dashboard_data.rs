//! `dashboard/data.json`: rates, error ratios and percentiles computed from known
//! calls, business metrics, health with its reasons, the traces that explain the
//! p99s; the page itself, with the trace ids linked to a trace UI when one is set.

mod dashboard_common;

use std::time::{Duration, Instant};

use dashboard_common::{Declined, basket, carts_open, checkout, place_order, ship, traced_request};
use hyper::Method;
use monitor_runtime::exemplars::{self, TraceContext};
use monitor_tests::server::TestServer;
use serde_json::Value;

/// The trace of the slowest call of `ship`, and that of a traced request.
const SHIP_TRACE: u128 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;
const ROUTE_TRACE: u128 = 0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c;

/// Bounds the waits for the sampler; asserts nothing about speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// One test at a time: an exporter's token is the health endpoints' too, for the
/// whole process (it decides whether health reasons are shown).
static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn data(server: &TestServer) -> Value {
    let response = monitor_tests::http::get(&server.url("/dashboard/data.json"))
        .await
        .expect("data.json answers");
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/json"));
    serde_json::from_str(&response.body).expect("data.json is JSON")
}

fn find<'a>(rows: &'a Value, group: &str, name: &str) -> &'a Value {
    rows.as_array()
        .expect("an array of rows")
        .iter()
        .find(|row| row["group"] == group && row["name"] == name)
        .unwrap_or_else(|| panic!("no row {group} {name} in {rows}"))
}

fn business<'a>(data: &'a Value, name: &str) -> &'a Value {
    data["history"]["business"]
        .as_array()
        .expect("business metrics")
        .iter()
        .find(|metric| metric["name"] == name)
        .unwrap_or_else(|| panic!("no business metric {name}"))
}

/// Σ rate × step length over the history: what the counter went up by.
fn integral(data: &Value, series: &Value) -> f64 {
    let mut previous = data["history"]["started_at"].as_f64().expect("a start");
    let mut total = 0.0;
    for (time, rate) in data["history"]["times"]
        .as_array()
        .unwrap()
        .iter()
        .zip(series.as_array().unwrap())
    {
        let time = time.as_f64().unwrap();
        total += rate.as_f64().unwrap_or(0.0) * (time - previous);
        previous = time;
    }
    total
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-6 * expected.abs().max(1.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rates_ratios_and_percentiles_of_known_calls() {
    let _alone = ALONE.lock().await;
    monitor_runtime::__private::set_history_interval(Duration::from_millis(200));
    exemplars::set_interval(Duration::ZERO);
    let server = dashboard_common::start();
    let before = data(&server).await;
    let module = "dashboard_data::dashboard_common";
    assert_eq!(
        find(&before["history"]["functions"], module, "checkout")["calls"],
        0.0
    );

    // 40 direct calls (8 fail), 10 requests whose handler calls it too (2 fail, 503).
    for amount in 0..40 {
        let _: Result<u32, Declined> = checkout(amount);
    }
    for id in 100..110 {
        monitor_tests::http::get(&server.url(&format!("/orders/{id}")))
            .await
            .expect("the app answers");
    }
    // 19 calls of about 30 ms and one of about 300 ms, that one traced.
    for _ in 0..19 {
        ship(30).await;
    }
    {
        let _in_trace =
            exemplars::enter(TraceContext::new(SHIP_TRACE, 0x00f0_67aa_0ba9_02b7).unwrap());
        ship(300).await;
    }
    traced_request(
        TraceContext::new(ROUTE_TRACE, 0xb7ad_6b71_6920_3331).unwrap(),
        "/traced",
        1,
    )
    .await;
    for plan in ["pro", "pro", "free", "pro", "free", "team"] {
        place_order(plan).unwrap();
    }
    carts_open(4);
    for items in [1, 2, 9] {
        basket(items);
    }

    // Wait for a reading that saw everything.
    let deadline = Instant::now() + PATIENCE;
    let data = loop {
        let data = data(&server).await;
        let functions = &data["history"]["functions"];
        if find(functions, module, "checkout")["calls"] == 50.0
            && find(functions, module, "ship")["calls"] == 20.0
            && business(&data, "dash_basket_items")["value"] == 3.0
        {
            break data;
        }
        assert!(
            Instant::now() < deadline,
            "the history never saw the calls: {data}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let checkout = find(&data["history"]["functions"], module, "checkout");
    assert_eq!(
        (checkout["calls"].as_f64(), checkout["errors"].as_f64()),
        (Some(50.0), Some(10.0))
    );
    // The recent window started before the first call: its rate × length is 50.
    let recent = &checkout["recent"];
    let seconds = data["history"]["recent_seconds"]
        .as_f64()
        .expect("a recent window");
    assert!(
        close(recent["rate"].as_f64().unwrap() * seconds, 50.0),
        "{recent}"
    );
    assert!(
        close(recent["error_ratio"].as_f64().unwrap(), 0.2),
        "{recent}"
    );
    // Per step: the rates add up to the calls, and each step's error ratio is its own.
    assert!(
        close(integral(&data, &checkout["series"]["rate"]), 50.0),
        "{checkout}"
    );
    assert_eq!(
        checkout["series"]["rate"].as_array().unwrap().len(),
        data["history"]["times"].as_array().unwrap().len()
    );

    let route = find(&data["history"]["routes"], "GET", "/orders/{id}");
    assert_eq!(
        (route["calls"].as_f64(), route["errors"].as_f64()),
        (Some(10.0), Some(2.0))
    );
    assert!(
        close(route["recent"]["error_ratio"].as_f64().unwrap(), 0.2),
        "{route}"
    );
    assert!(
        close(integral(&data, &route["series"]["rate"]), 10.0),
        "{route}"
    );

    // Percentiles: 19 of 20 calls in (25 ms, 100 ms], one in (250 ms, 1 s].
    let ship = find(&data["history"]["functions"], module, "ship");
    let p50 = &ship["recent"]["p50"];
    assert_eq!(
        (p50["lower"].as_f64(), p50["upper"].as_f64()),
        (Some(0.025), Some(0.1)),
        "{ship}"
    );
    let value = p50["value"].as_f64().unwrap();
    // histogram_quantile: rank 10 of the 19 in the bucket (the exact estimate is
    // tested with known buckets in the runtime's unit tests).
    assert!(close(value, 0.025 + 0.075 * 10.0 / 19.0), "{p50}");
    let p95 = &ship["recent"]["p95"];
    assert_eq!(
        (p95["lower"].as_f64(), p95["upper"].as_f64()),
        (Some(0.025), Some(0.1)),
        "{ship}"
    );
    let p99 = &ship["recent"]["p99"];
    assert_eq!(
        (p99["lower"].as_f64(), p99["upper"].as_f64()),
        (Some(0.25), Some(1.0)),
        "{ship}"
    );
    // The p99's trace: that of the one call in the p99's bucket, the only traced one.
    let shown = &ship["p99_exemplar"];
    assert_eq!(shown["trace_id"], format!("{SHIP_TRACE:032x}"), "{ship}");
    assert_eq!(shown["upper"], 1.0, "{ship}");
    assert!(
        (0.25..=1.0).contains(&shown["seconds"].as_f64().unwrap()),
        "{shown}"
    );
    assert!(shown["at"].as_f64().unwrap() >= data["history"]["started_at"].as_f64().unwrap());
    // One exemplar per row, and only that: the buckets' exemplars stay out.
    assert_eq!(shown.as_object().unwrap().len(), 4, "{shown}");
    let traced = find(&data["history"]["routes"], "GET", "/traced/{millis}");
    assert_eq!(
        traced["p99_exemplar"]["trace_id"],
        format!("{ROUTE_TRACE:032x}"),
        "{traced}"
    );
    for value in ship["series"]["p50"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
    {
        assert!(
            (0.025..=1.0).contains(&value),
            "a step's median out of the buckets: {ship}"
        );
    }

    let orders = business(&data, "dash_orders_total");
    assert_eq!(orders["kind"], "counter");
    assert_eq!(
        (orders["value"].as_f64(), orders["label_sets"].as_u64()),
        (Some(6.0), Some(3))
    );
    assert!(
        close(integral(&data, &orders["series"]["rate"]), 6.0),
        "{orders}"
    );
    assert_eq!(orders["help"], "Orders placed, by plan.");
    let carts = business(&data, "dash_carts_open");
    assert_eq!(
        (carts["kind"].as_str(), carts["value"].as_f64()),
        (Some("gauge"), Some(4.0))
    );
    let baskets = business(&data, "dash_basket_items");
    assert_eq!(
        (baskets["kind"].as_str(), baskets["mean"].as_f64()),
        (Some("histogram"), Some(4.0))
    );

    // The live figures are read at the request.
    let live = find(&data["live"]["functions"], module, "checkout");
    assert_eq!(live["calls"], 50.0);

    // Health, with reasons: no token is set.
    let health = &data["health"];
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["detailed"], true);
    let checks = health["checks"].as_array().unwrap();
    let cache = checks
        .iter()
        .find(|check| check["name"] == "dash-cache")
        .unwrap();
    // The check failed; it is not critical, so the service is only degraded.
    assert_eq!(
        (cache["status"].as_str(), cache["critical"].as_bool()),
        (Some("unhealthy"), Some(false))
    );
    assert!(
        cache["reason"].as_str().unwrap().contains("refused"),
        "{cache}"
    );
    let database = checks
        .iter()
        .find(|check| check["name"] == "dash-database")
        .unwrap();
    assert_eq!(database["status"], "healthy");

    // System resources: the host's and the process' own.
    let system = &data["system"];
    assert!(
        system["host_memory_size_bytes"].as_u64().unwrap() > 0,
        "{system}"
    );
    assert!(
        system["process_open_fds"].as_f64().unwrap() > 0.0,
        "{system}"
    );
    assert!(!system["disks"].as_array().unwrap().is_empty(), "{system}");
    assert_eq!(data["problems"], serde_json::json!([]));

    // The page shows the same, rendered on the server.
    let page = monitor_tests::http::get(&server.url("/dashboard"))
        .await
        .unwrap();
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    for wanted in [
        "<td>checkout</td><td>50</td><td>10</td>",
        "dash-cache",
        "refused the connection",
        "dash_orders_total",
        "/orders/{id}",
        "process open files",
        "host memory used",
        "title=\"between 25.00 ms and 100.00 ms\"",
    ] {
        assert!(
            page.body.contains(wanted),
            "the page lacks {wanted}:\n{}",
            page.body
        );
    }
    let ship_id = format!("{SHIP_TRACE:032x}");
    assert!(
        page.body.contains(&format!("data-trace-id=\"{ship_id}\"")),
        "the page lacks the p99's trace:\n{}",
        page.body
    );
    assert!(
        page.body.contains(">p99</th><th class=\"text\" title=\"a traced call at the p99 or slower\">p99 trace</th>"),
        "the trace is next to the p99"
    );
    let script = monitor_tests::http::get(&server.url("/dashboard/app.js"))
        .await
        .unwrap();
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
}

async fn get_with(server: &TestServer, path: &str, token: Option<&str>) -> (u16, String) {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = authorization
        .iter()
        .map(|value| ("authorization", value.as_str()))
        .collect();
    let response = monitor_tests::http::request_with(Method::GET, &server.url(path), &headers)
        .await
        .expect("the exporter answers");
    (response.status.as_u16(), response.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_ids_link_to_the_trace_ui_only_for_http_addresses() {
    let _alone = ALONE.lock().await;
    monitor_runtime::__private::set_history_interval(Duration::from_millis(200));
    exemplars::set_interval(Duration::ZERO);
    let trace = 0x5ca1_ab1e_0000_0000_0000_0000_0000_0001_u128;
    let id = format!("{trace:032x}");
    let linked = TestServer::start_configured(|exporter| {
        exporter
            .token("s3cret")
            .trace_ui("http://localhost:16686/trace/{trace_id}")
    });
    let refused = TestServer::start_configured(|exporter| {
        exporter.trace_ui("javascript:alert(document.cookie)//{trace_id}")
    });
    traced_request(TraceContext::new(trace, 0x1234).unwrap(), "/linked", 2).await;

    // The trace ids are behind the data endpoint's authentication, as the rest.
    let (status, body) = get_with(&linked, "/dashboard/data.json", None).await;
    assert_eq!(status, 401);
    assert!(!body.contains(&id));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (status, body) = get_with(&linked, "/dashboard/data.json", Some("s3cret")).await;
        assert_eq!(status, 200, "{body}");
        if body.contains(&id) {
            break;
        }
        assert!(Instant::now() < deadline, "the trace never shows: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, page) = get_with(&linked, "/dashboard", Some("s3cret")).await;
    assert!(
        page.contains(&format!(
            "<a class=\"trace\" data-trace-id=\"{id}\" href=\"http://localhost:16686/trace/{id}\" \
             rel=\"noopener noreferrer\" target=\"_blank\""
        )),
        "no link to the trace:\n{page}"
    );
    assert!(page.contains("data-trace-ui=\"http://localhost:16686/trace/{trace_id}\""));

    // Another scheme is refused: the id is shown, never as a link.
    let (_, page) = get_with(&refused, "/dashboard", None).await;
    assert!(
        page.contains(&format!("<code class=\"trace\" data-trace-id=\"{id}\"")),
        "{page}"
    );
    assert!(!page.contains("javascript:") && !page.contains("data-trace-ui"));
    drop((linked, refused));
    monitor_runtime::health::HealthRegistry::global().set_token(None);
}
