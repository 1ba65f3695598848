//! The built-in dashboard in a real browser (headless Chromium over WebDriver): the
//! charts draw with data points, a counter changes without a reload after more calls,
//! the health and business sections show the app's checks and metrics, the trace id
//! of a traced request shows next to its route's p99 as a link to the trace UI, and
//! follows a slower traced request without a reload, the tables sort and filter; a
//! screenshot is saved as an artifact under the target directory
//! (and as `examples/dashboard.png` with `MONITOR_UPDATE_SCREENSHOT=1`).

mod dashboard_common;
use dashboard_common::traced_request;

use std::time::{Duration, Instant};

use fantoccini::Client;
use monitor_runtime::exemplars::{self, TraceContext};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_tests::browser::Browser;
use monitor_tests::server::TestServer;
use serde_json::{Value, json};

/// Bounds the waits for the page; asserts nothing about speed.
const PATIENCE: Duration = Duration::from_secs(60);

const MODULE: &str = "dashboard_browser::dashboard_common";

/// Where the trace ids link to (Jaeger's address).
const TRACE_UI: &str = "http://localhost:16686/trace/{trace_id}";

/// The headers of the p99 column and the one after it, and what that one shows for
/// the route `/traced/{millis}`: `[p99, next, id, text, href, rel, shortened]`.
const TRACED_ROUTE_TRACE: &str = "var heads = document.querySelectorAll('#routes thead th');\
    var row = Array.from(document.querySelectorAll('#routes tbody tr'))\
      .find(r => r.getAttribute('data-key') === 'GET\\u001f/traced/{millis}');\
    var trace = row ? row.cells[11].querySelector('.trace') : null;\
    return [heads[10].textContent, heads[11].textContent,\
      trace && trace.getAttribute('data-trace-id'), trace && trace.textContent,\
      trace && trace.getAttribute('href'), trace && trace.getAttribute('rel'),\
      trace && trace.scrollWidth > trace.clientWidth];";

async fn run(client: &Client, script: &str) -> Value {
    client
        .execute(script, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("{script}: {error}"))
}

/// Runs `script` until `accept` takes its result; returns that result.
async fn until(client: &Client, script: &str, accept: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let value = run(client, script).await;
        if accept(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "never accepted: {script} gave {value}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn calls_cell(function: &str) -> String {
    format!(
        "var row = Array.from(document.querySelectorAll('#functions tbody tr'))\
           .find(r => r.getAttribute('data-key') === '{MODULE}\\u001f{function}');\
         return row ? row.cells[2].textContent : null;"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_draws_and_updates_in_a_browser() {
    let Some(browser) = Browser::start(1280, 2200).await else {
        return;
    };
    monitor_runtime::__private::set_history_interval(Duration::from_millis(300));
    exemplars::set_interval(Duration::ZERO);
    // As `dashboard_common::start`, with a trace UI.
    let server = TestServer::start_configured(|exporter| {
        exporter
            .merge(dashboard_common::routes())
            .layer(HttpMetricsLayer::new().routes([("GET", "/orders/{id}")]))
            .trace_ui(TRACE_UI)
    });
    dashboard_common::traffic(&server, 12).await;
    let fast = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128;
    traced_request(
        TraceContext::new(fast, 0x00f0_67aa_0ba9_02b7).unwrap(),
        "/traced",
        1,
    )
    .await;
    let client = browser.client();
    client.goto(&server.url("/dashboard")).await.unwrap();

    // Charts: every chart of functions and routes holds points once a few readings exist.
    let points = until(
        client,
        "return Array.from(document.querySelectorAll('svg.chart'))\
           .map(s => Number(s.getAttribute('data-points') || 0));",
        |value| {
            value.as_array().is_some_and(|points| {
                points.len() == 6 && points.iter().all(|p| p.as_f64() >= Some(3.0))
            })
        },
    )
    .await;
    assert_eq!(points.as_array().unwrap().len(), 6, "{points}");
    let polylines = run(
        client,
        "return document.querySelectorAll('svg.chart polyline').length;",
    )
    .await;
    assert!(polylines.as_u64() >= Some(6), "{polylines}");

    // A counter changes in place after more calls: the page is not reloaded (a mark
    // left on the window survives).
    run(client, "window.__monitorMark = 'still here'; return null;").await;
    let before: u64 = run(client, &calls_cell("checkout"))
        .await
        .as_str()
        .expect("the checkout row")
        .parse()
        .unwrap();
    for amount in 1..=7 {
        let _ = dashboard_common::checkout(amount);
    }
    let wanted = json!((before + 7).to_string());
    until(client, &calls_cell("checkout"), |value| *value == wanted).await;
    assert_eq!(
        run(client, "return window.__monitorMark;").await,
        "still here"
    );
    assert!(
        run(
            client,
            "return Number(document.body.getAttribute('data-updates'));"
        )
        .await
        .as_u64()
            >= Some(2)
    );

    // The trace of the traced request, next to its route's p99: the whole id as
    // text (shortened on screen), linked to the trace UI.
    let link = |trace: u128| TRACE_UI.replace("{trace_id}", &format!("{trace:032x}"));
    let fast_id = format!("{fast:032x}");
    let shown = run(client, TRACED_ROUTE_TRACE).await;
    assert_eq!(
        shown,
        json!([
            "p99",
            "p99 trace",
            fast_id,
            fast_id,
            link(fast),
            "noopener noreferrer",
            true
        ]),
        "the route's trace as the server rendered it"
    );
    // A slower traced request: its call is now the p99's, and its trace replaces
    // the other in place.
    let slow = 0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c_u128;
    traced_request(
        TraceContext::new(slow, 0xb7ad_6b71_6920_3331).unwrap(),
        "/traced",
        300,
    )
    .await;
    let slow_id = format!("{slow:032x}");
    let shown = until(client, TRACED_ROUTE_TRACE, |value| {
        value[2] == json!(slow_id)
    })
    .await;
    assert_eq!(
        shown,
        json!([
            "p99",
            "p99 trace",
            slow_id,
            slow_id,
            link(slow),
            "noopener noreferrer",
            true
        ]),
        "the route's trace as the script updated it"
    );
    assert_eq!(
        run(client, "return window.__monitorMark;").await,
        "still here"
    );

    // Health: both checks, colour-coded, with the reason (no token is set).
    let health = run(
        client,
        "return Array.from(document.querySelectorAll('#health tbody tr')).map(r => [\
           r.getAttribute('data-key'), r.querySelector('[data-field=status]').className,\
           getComputedStyle(r.querySelector('[data-field=status]')).backgroundColor,\
           r.querySelector('[data-field=reason]').textContent]);",
    )
    .await;
    let rows = health.as_array().unwrap();
    let row = |name: &str| {
        rows.iter()
            .find(|row| row[0] == name)
            .unwrap_or_else(|| panic!("no check {name} in {health}"))
    };
    assert_eq!(row("dash-database")[1], "status healthy");
    assert_eq!(row("dash-cache")[1], "status unhealthy");
    assert_ne!(
        row("dash-database")[2],
        row("dash-cache")[2],
        "statuses share a colour"
    );
    assert!(row("dash-cache")[3].as_str().unwrap().contains("refused"));
    assert_eq!(
        run(
            client,
            "return document.getElementById('health-status').textContent;"
        )
        .await,
        "degraded"
    );

    // Business: every metric of the app, with a drawn sparkline for the counter.
    let business = run(
        client,
        "return Array.from(document.querySelectorAll('#business tbody tr')).map(r => r.getAttribute('data-key'));",
    )
    .await;
    for metric in ["dash_orders_total", "dash_carts_open", "dash_basket_items"] {
        assert!(
            business.as_array().unwrap().contains(&json!(metric)),
            "{business}"
        );
    }
    until(
        client,
        "var s = document.querySelector('svg[data-spark=\"dash_orders_total\"]');\
         return s ? Number(s.getAttribute('data-points') || 0) : 0;",
        |value| value.as_f64() >= Some(2.0),
    )
    .await;

    // Alerts: read from `alerts`; until that endpoint exists the page says so.
    let alerts = until(
        client,
        "var a = document.getElementById('alerts'); return [a.getAttribute('data-state'), a.textContent];",
        |value| !value[0].is_null(),
    )
    .await;
    if alerts[0] == "disabled" {
        assert_eq!(alerts[1], "alerts not enabled");
    } else {
        assert_eq!(alerts[0], "enabled", "{alerts}");
    }

    // System resources are listed.
    let system = run(
        client,
        "return document.getElementById('system').textContent;",
    )
    .await;
    for wanted in ["host CPU busy", "host memory used", "process open files"] {
        assert!(system.as_str().unwrap().contains(wanted), "{system}");
    }

    // Screenshot, before the filter hides rows.
    let png = client.screenshot().await.unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let artifact = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png");
    std::fs::write(&artifact, &png).unwrap();
    if std::env::var_os("MONITOR_UPDATE_SCREENSHOT").is_some() {
        let example =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/dashboard.png");
        std::fs::write(example, &png).unwrap();
    }

    // Filter: only the rows matching the text stay visible.
    let visible = run(
        client,
        "var input = document.querySelector('input[data-filter=functions]');\
         input.value = 'ship'; input.dispatchEvent(new Event('input'));\
         return Array.from(document.querySelectorAll('#functions tbody tr'))\
           .filter(r => !r.hidden).map(r => r.cells[1].textContent);",
    )
    .await;
    assert_eq!(visible, json!(["ship"]));
    // Sort: a click on "calls" orders the rows by it, busiest first.
    let sorted = run(
        client,
        "document.querySelector('input[data-filter=functions]').value = '';\
         document.querySelector('input[data-filter=functions]').dispatchEvent(new Event('input'));\
         document.querySelectorAll('#functions thead th')[2].click();\
         return Array.from(document.querySelectorAll('#functions tbody tr')).map(r => Number(r.cells[2].textContent));",
    )
    .await;
    let calls: Vec<f64> = sorted
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert!(
        calls.len() >= 2 && calls.windows(2).all(|pair| pair[0] >= pair[1]),
        "{sorted}"
    );

    browser.close().await;
}
