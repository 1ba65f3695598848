//! The three exposition formats of `/metrics`: chosen from the scraper's `Accept`
//! header (or `?format=`), carrying the same values, exemplars where the format has
//! them, native histograms in protobuf; the OpenMetrics output accepted by an
//! independent strict parser, the text output by promtool.

use std::time::Duration;

use monitor_runtime::exemplars::{self, TraceContext};
use monitor_runtime::monitored;
use monitor_tests::formats::{
    check_openmetrics, openmetrics_samples, protobuf_families, protobuf_samples,
};
use monitor_tests::http::request_with;
use monitor_tests::server::TestServer;
use monitor_tests::{Sample, parse_samples, promtool, tools};
use tokio::sync::Mutex;

const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
const PROTOBUF: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
/// What Prometheus 2.42 sends without and with `--enable-feature=native-histograms`.
const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const PROMETHEUS_NATIVE_ACCEPT: &str = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// The tests read one global registry: one at a time.
static SERIAL: Mutex<()> = Mutex::const_new(());

#[derive(Debug)]
struct Declined;

#[monitored]
fn priced(amount: u32) -> Result<u32, Declined> {
    if amount > 100 {
        Err(Declined)
    } else {
        Ok(amount)
    }
}

/// Native buckets only.
#[monitored(native)]
fn native_only() {
    std::thread::sleep(Duration::from_millis(3));
}

/// Native buckets of schema 0 beside classic ones.
#[monitored(native(schema = 0), buckets = [0.001, 0.01, 0.1])]
fn native_and_classic() {}

monitor_runtime::business_metrics! {
    /// Orders, by plan.
    counter ORDERS = "formats_orders_total", help = "Orders, by plan.", labels(plan);
}

fn exercise() {
    for amount in [5, 50, 500] {
        let _ = priced(amount);
    }
    for _ in 0..4 {
        native_only();
        native_and_classic();
    }
    ORDERS.inc([&"pro"]);
    ORDERS.inc([&"free \"quoted\""]);
}

async fn scrape(server: &TestServer, accept: Option<&str>, query: &str) -> (String, Vec<u8>) {
    let headers: Vec<(&str, &str)> = accept
        .map(|accept| ("accept", accept))
        .into_iter()
        .collect();
    let response = request_with(
        hyper::Method::GET,
        &server.url(&format!("/metrics{query}")),
        &headers,
    )
    .await
    .unwrap();
    assert_eq!(response.status, 200);
    (
        response
            .header("content-type")
            .unwrap_or_default()
            .to_owned(),
        response.bytes,
    )
}

#[tokio::test]
async fn the_format_is_the_one_the_scraper_asks_for() {
    let _serial = SERIAL.lock().await;
    let server = TestServer::start();
    let cases: [(Option<&str>, &str, &str); 9] = [
        (None, "", TEXT),
        (Some("*/*"), "", TEXT),
        (Some(PROMETHEUS_ACCEPT), "", OPENMETRICS),
        (Some(PROMETHEUS_NATIVE_ACCEPT), "", PROTOBUF),
        (Some("application/json"), "", TEXT),
        (Some(";;;,=,q=abc,garbage/;q=2,text/plain;q=x"), "", TEXT),
        (Some("application/openmetrics-text;version=9.9.9"), "", TEXT),
        (Some(PROMETHEUS_ACCEPT), "?format=text", TEXT),
        (None, "?format=protobuf", PROTOBUF),
    ];
    for (accept, query, expected) in cases {
        let (content_type, body) = scrape(&server, accept, query).await;
        assert_eq!(content_type, expected, "Accept: {accept:?}{query}");
        assert!(!body.is_empty());
    }
}

/// The samples of the runtime's own families (`process_*` move between scrapes).
fn own(samples: Vec<Sample>) -> Vec<Sample> {
    let mut samples: Vec<Sample> = samples
        .into_iter()
        .filter(|sample| {
            !sample.name.starts_with("process_")
                && !sample.name.starts_with("system_")
                && !sample.name.starts_with("monitor_exposition_renders")
                && !sample.name.starts_with("monitor_exporter")
                && !sample.name.starts_with("http_server_")
                && !sample.name.starts_with("health_check_")
                && !sample.name.starts_with("tokio_")
        })
        .collect();
    for sample in &mut samples {
        sample.labels.sort();
    }
    samples.sort_by(|a, b| {
        (&a.name, &a.labels)
            .partial_cmp(&(&b.name, &b.labels))
            .unwrap()
    });
    samples
}

#[tokio::test]
async fn every_format_carries_the_same_values() {
    let _serial = SERIAL.lock().await;
    exercise();
    let server = TestServer::start();
    let (_, text) = scrape(&server, None, "").await;
    let (_, openmetrics) = scrape(&server, Some(PROMETHEUS_ACCEPT), "").await;
    let (_, protobuf) = scrape(&server, Some(PROMETHEUS_NATIVE_ACCEPT), "").await;
    let text = String::from_utf8(text).unwrap();
    let openmetrics = String::from_utf8(openmetrics).unwrap();
    let from_text = own(parse_samples(&text));
    let from_openmetrics = own(openmetrics_samples(&openmetrics)
        .into_iter()
        .map(|(sample, _)| sample)
        .collect());
    let from_protobuf = own(protobuf_samples(&protobuf_families(&protobuf)));
    assert!(from_text.len() > 50, "{text}");
    let names = |samples: &[Sample]| -> Vec<(String, Vec<(String, String)>)> {
        samples
            .iter()
            .map(|sample| (sample.name.clone(), sample.labels.clone()))
            .collect()
    };
    assert_eq!(names(&from_openmetrics), names(&from_text));
    assert_eq!(names(&from_protobuf), names(&from_text));
    for ((a, b), c) in from_text.iter().zip(&from_openmetrics).zip(&from_protobuf) {
        // The same instant is not read twice: figures that only grow may have grown
        // between scrapes, by the calls of the scrapes themselves at most.
        assert!(
            b.value >= a.value && c.value >= a.value,
            "{} {:?}: text {}, OpenMetrics {}, protobuf {}",
            a.name,
            a.labels,
            a.value,
            b.value,
            c.value
        );
        if a.name.starts_with("function_calls") || a.name.starts_with("formats_orders") {
            assert_eq!(
                (a.value, b.value),
                (c.value, c.value),
                "{} {:?}",
                a.name,
                a.labels
            );
        }
    }
    let priced = |samples: &[Sample], result: &str| {
        monitor_tests::find(
            samples,
            "function_calls_total",
            &[("function", "priced"), ("result", result)],
        )
    };
    // Two of `exercise`'s calls succeed and one fails, at each of its runs (the
    // traced test adds a success of its own).
    let ok = priced(&from_text, "ok").unwrap();
    let errors = priced(&from_text, "error").unwrap();
    assert!(
        ok >= 2.0 && errors >= 1.0 && errors.fract() == 0.0,
        "{ok} {errors}"
    );
    assert_eq!(priced(&from_protobuf, "ok"), Some(ok));
    assert_eq!(priced(&from_openmetrics, "error"), Some(errors));

    // What each format says of its families.
    assert!(openmetrics.ends_with("# EOF\n"));
    assert!(openmetrics.contains("# TYPE function_calls counter\n"));
    assert!(openmetrics.contains("# UNIT function_calls_duration_seconds seconds\n"));
    assert!(openmetrics.contains("# TYPE target info\n"));
    assert!(text.contains("# TYPE target_info gauge\n"));
    if tools::require("promtool") {
        assert_eq!(promtool::check_metrics(&text), Vec::<String>::new());
    }
    if let Some(parsed) = check_openmetrics(&openmetrics) {
        let families = parsed.unwrap_or_else(|error| panic!("{error}\n{openmetrics}"));
        assert!(families > 10);
    }
}

#[tokio::test]
async fn native_histograms_are_in_protobuf_and_counted_in_every_format() {
    let _serial = SERIAL.lock().await;
    exercise();
    let server = TestServer::start();
    let (_, protobuf) = scrape(&server, Some(PROMETHEUS_NATIVE_ACCEPT), "").await;
    let families = protobuf_families(&protobuf);
    // A family of native and classic series comes as two messages of one name.
    let durations: Vec<_> = families
        .iter()
        .filter(|family| family.name.as_deref() == Some("function_calls_duration_seconds"))
        .flat_map(|family| family.metric.iter())
        .collect();
    let histogram = |function: &str| {
        durations
            .iter()
            .find(|metric| {
                metric
                    .label
                    .iter()
                    .any(|pair| pair.value.as_deref() == Some(function))
            })
            .and_then(|metric| metric.histogram.clone())
            .unwrap()
    };
    let only = histogram("native_only");
    assert_eq!(only.schema, Some(3));
    assert!(only.bucket.is_empty(), "no classic buckets: {only:?}");
    let count = only.sample_count.unwrap();
    assert!(count >= 4 && count % 4 == 0, "{count}");
    let buckets = only.native_buckets();
    let in_buckets: u64 = buckets.iter().map(|(_, count)| count).sum();
    assert_eq!(in_buckets + only.zero_count.unwrap_or(0), count);
    // Each call slept 3 ms: every observation is in a bucket whose upper bound is
    // at least 3 ms (schema 3: bound of bucket k is 2^(k/8)).
    for (index, _) in &buckets {
        assert!(
            f64::from(*index) / 8.0 >= 0.003_f64.log2() - 1e-9,
            "{buckets:?}"
        );
    }
    let both = histogram("native_and_classic");
    assert_eq!(both.schema, Some(0));
    assert_eq!(both.bucket.len(), 3);
    assert_eq!(
        both.native_buckets().iter().map(|(_, c)| c).sum::<u64>() + both.zero_count.unwrap_or(0),
        both.sample_count.unwrap()
    );
    // The text format shows what it can: the count and sum, `+Inf` only for
    // `native_only`.
    let (_, text) = scrape(&server, None, "").await;
    let text = String::from_utf8(text).unwrap();
    let samples = parse_samples(&text);
    assert_eq!(
        monitor_tests::find(
            &samples,
            "function_calls_duration_seconds_count",
            &[("function", "native_only")]
        ),
        Some(count as f64)
    );
    let classic_lines = text
        .lines()
        .filter(|line| line.contains("_bucket{function=\"native_only\""))
        .count();
    assert_eq!(classic_lines, 1, "only +Inf");
    // And the history reads the native buckets for its percentiles.
    monitor_runtime::__private::sample_history();
    let history = monitor_runtime::__private::history().lock().unwrap();
    let reading = history.latest().unwrap();
    let timed = reading
        .functions
        .iter()
        .find(|((_, function), _)| function == "native_only")
        .unwrap()
        .1;
    assert!(timed.buckets().len() > 2, "{timed:?}");
}

#[tokio::test]
async fn traced_calls_leave_exemplars_where_the_format_carries_them() {
    let _serial = SERIAL.lock().await;
    exemplars::set_interval(Duration::ZERO);
    let trace =
        TraceContext::from_hex("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7").unwrap();
    {
        let _traced = exemplars::enter(trace);
        priced(7).unwrap();
        native_and_classic();
    }
    let server = TestServer::start();
    let (_, openmetrics) = scrape(&server, Some(PROMETHEUS_ACCEPT), "").await;
    let openmetrics = String::from_utf8(openmetrics).unwrap();
    let with_exemplar: Vec<(Sample, Vec<(String, String)>)> = openmetrics_samples(&openmetrics)
        .into_iter()
        .filter_map(|(sample, exemplar)| Some((sample, exemplar?)))
        .collect();
    let traced = |name: &str, function: &str| {
        with_exemplar.iter().any(|(sample, labels)| {
            sample.name == name
                && sample.labels.iter().any(|(_, value)| value == function)
                && labels.contains(&(
                    "trace_id".to_owned(),
                    "4bf92f3577b34da6a3ce929d0e0e4736".to_owned(),
                ))
                && labels.contains(&("span_id".to_owned(), "00f067aa0ba902b7".to_owned()))
        })
    };
    assert!(
        traced("function_calls_duration_seconds_bucket", "priced"),
        "{openmetrics}"
    );
    assert!(traced("function_calls_total", "priced"));
    assert!(traced(
        "function_calls_duration_seconds_bucket",
        "native_and_classic"
    ));
    if let Some(parsed) = check_openmetrics(&openmetrics) {
        parsed.unwrap_or_else(|error| panic!("{error}\n{openmetrics}"));
    }
    // In protobuf, on the bucket and the counter.
    let (_, protobuf) = scrape(&server, Some(PROMETHEUS_NATIVE_ACCEPT), "").await;
    let families = protobuf_families(&protobuf);
    let metrics = |name: &str| -> Vec<_> {
        families
            .iter()
            .filter(|family| family.name.as_deref() == Some(name))
            .flat_map(|family| family.metric.iter())
            .collect()
    };
    let bucket_exemplars: Vec<_> = metrics("function_calls_duration_seconds")
        .into_iter()
        .flat_map(|metric| metric.histogram.iter())
        .flat_map(|histogram| histogram.bucket.iter())
        .filter_map(|bucket| bucket.exemplar.as_ref())
        .collect();
    assert!(
        bucket_exemplars
            .iter()
            .any(|exemplar| exemplar.label("trace_id") == Some("4bf92f3577b34da6a3ce929d0e0e4736"))
    );
    assert!(metrics("function_calls_total").iter().any(|metric| {
        metric
            .counter
            .as_ref()
            .and_then(|counter| counter.exemplar.as_ref())
            .is_some_and(|exemplar| exemplar.label("span_id") == Some("00f067aa0ba902b7"))
    }));
    // The text format has no place for them (`trace_id` is also a `reason` of
    // `monitor_trace_context_invalid_total`: no exemplar's label is looked for).
    let (_, text) = scrape(&server, None, "").await;
    let text = String::from_utf8(text).unwrap();
    assert!(
        !text.contains("trace_id=\"") && !text.contains(" # {"),
        "{text}"
    );
    exemplars::set_interval(Duration::from_secs(1));
}

#[tokio::test]
async fn routes_keep_native_buckets_and_exemplars_when_asked() {
    let _serial = SERIAL.lock().await;
    exemplars::set_interval(Duration::ZERO);
    let app = axum::Router::new()
        .route("/native/{id}", axum::routing::get(|| async { "ok" }))
        .layer(monitor_runtime::http::HttpMetricsLayer::new().native(2));
    let trace =
        TraceContext::from_hex("11112222333344445555666677778888", "1234123412341234").unwrap();
    for _ in 0..3 {
        let _traced = exemplars::enter(trace);
        let status = monitor_tests::http::send_in_process(&app, "GET", "/native/7").await;
        assert_eq!(status, 200);
    }
    let snapshot = monitor_runtime::snapshot();
    let family = snapshot
        .family("http_server_request_duration_seconds")
        .unwrap();
    let series = family
        .series
        .iter()
        .find(|series| series.labels.get("http_route") == Some("/native/{id}"))
        .unwrap();
    let monitor_runtime::model::Value::Histogram(histogram) = &series.value else {
        panic!("a histogram");
    };
    let native = histogram.native.as_ref().expect("native buckets");
    assert_eq!(native.schema, 2);
    let in_buckets: u64 = native.positive.iter().map(|(_, count)| count).sum();
    assert_eq!(in_buckets + native.zero_count, histogram.count);
    assert!(histogram.count >= 3);
    assert!(!histogram.bounds.is_empty(), "classic buckets kept beside");
    assert!(
        histogram.exemplars.iter().any(|(_, exemplar)| {
            exemplar.labels.get("trace_id") == Some("11112222333344445555666677778888")
        }),
        "{:?}",
        histogram.exemplars
    );
    exemplars::set_interval(Duration::from_secs(1));
}

monitor_runtime::business_metrics! {
    /// Basket values, natively.
    histogram BASKETS = "formats_basket_value_euros", help = "Basket values.", native;
}

#[tokio::test]
async fn business_histograms_keep_native_buckets_in_their_own_unit() {
    let _serial = SERIAL.lock().await;
    // 1 to 1000 euros: the median is 500, the 90th percentile 900.
    for euros in 1..=1000 {
        BASKETS.observe(f64::from(euros), []);
    }
    let snapshot = monitor_runtime::snapshot();
    let family = snapshot.family("formats_basket_value_euros").unwrap();
    let monitor_runtime::model::Value::Histogram(histogram) = &family.series[0].value else {
        panic!("a histogram");
    };
    assert!(histogram.bounds.is_empty(), "native buckets only");
    let native = histogram.native.as_ref().unwrap();
    assert_eq!(native.schema, 3);
    assert_eq!(histogram.count, 1000);
    assert_eq!(histogram.sum, 500_500.0);
    // Every value is in a bucket whose bounds hold it: the count up to each bound
    // is the number of values at most that bound.
    let mut cumulative = native.zero_count;
    for (index, count) in &native.positive {
        cumulative += count;
        let upper = native.upper_bound(*index);
        let expected = (upper.floor() as u64).min(1000);
        assert_eq!(cumulative, expected, "up to {upper}");
    }
}
