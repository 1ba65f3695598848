//! OTLP metrics export (`push::Otlp`) against a receiver that decodes with the
//! official OpenTelemetry protocol definitions (`tests/otlp/receiver.py`, Python's
//! `opentelemetry-proto`): every series of `/metrics` arrives with its value, the
//! resource is the identity, the temporality cumulative, exemplars carry the trace;
//! an outage loses nothing within the bound, beyond it drops are counted; a stop
//! flushes what is buffered.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use monitor_runtime::exemplars::{self, TraceContext};
use monitor_runtime::identity::{self, Identity};
use monitor_runtime::push::Otlp;
use monitor_runtime::{Background, Format, monitored};
use monitor_tests::{http, tools, wait};
use serde_json::Value;

monitor_runtime::business_metrics! {
    counter ORDERS = "otlp_orders_total", help = "Orders placed.", labels(plan);
    histogram BASKETS = "otlp_basket_euros", help = "Basket values.", buckets = [10.0, 100.0];
    histogram NATIVE = "otlp_native_basket_euros", help = "Basket values, natively.", native;
    gauge QUEUE = "otlp_queue_messages", help = "Messages waiting.";
}

#[derive(Debug)]
struct Declined;

#[monitored]
fn checkout(decline: bool) -> Result<(), Declined> {
    if decline { Err(Declined) } else { Ok(()) }
}

/// The tests share the exporter's own metrics (global): one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const TRACE: u128 = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736;
const SPAN: u64 = 0x00f0_67aa_0ba9_02b7;

/// `tests/otlp/receiver.py`, ended through its own handle when dropped.
struct Receiver {
    child: Child,
    address: SocketAddr,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Receiver {
    /// Starts the receiver on a free port; `None` when Python or its
    /// `opentelemetry-proto` is missing outside CI (in CI, where `.ci/run` installs
    /// them, that fails the test).
    fn start() -> Option<Self> {
        if !tools::require("python3") {
            return None;
        }
        let probe = Command::new("python3")
            .args([
                "-c",
                "import opentelemetry.proto.collector.metrics.v1.metrics_service_pb2",
            ])
            .output()
            .expect("python3 runs");
        if !probe.status.success() {
            let message = "the Python package `opentelemetry-proto` is missing: \
                           `pip install opentelemetry-proto==1.45.2 protobuf==7.36.2` \
                           (as .ci/run does)";
            assert!(!tools::in_ci(), "{message}");
            eprintln!("\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n");
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/otlp/receiver.py");
        let mut child = Command::new("python3")
            .args([script, "--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the receiver starts");
        let mut first = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().expect("piped stdout")),
            &mut first,
        )
        .expect("the receiver prints its port");
        // Owned at once, so that a failure below still ends it.
        let mut receiver = Receiver {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let port: u16 = first
            .trim()
            .strip_prefix("listening ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("the receiver said `{first}`"));
        receiver.address.set_port(port);
        Some(receiver)
    }

    fn url(&self) -> String {
        format!("http://{}/v1/metrics", self.address)
    }

    async fn get(&self, path: &str) -> Value {
        let response = http::get(&format!("http://{}{path}", self.address))
            .await
            .expect("the receiver answers");
        serde_json::from_str(&response.body).expect("JSON")
    }

    /// The export requests received, decoded, in order.
    async fn received(&self) -> Vec<Value> {
        match self.get("/received/metrics").await {
            Value::Array(requests) => requests,
            other => panic!("not an array: {other}"),
        }
    }

    /// The exports refused during an outage.
    async fn refused(&self) -> u64 {
        self.get("/received/stats").await["refused"]["metrics"]
            .as_u64()
            .expect("a count")
    }

    async fn outage(&self, on: bool) {
        let body = if on { "on" } else { "off" };
        let request = format!(
            "POST /control/outage HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        );
        let answer = http::send_raw(self.address, request.as_bytes())
            .await
            .expect("the receiver answers");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }

    /// Waits until `count` requests have arrived (or the patience ran out) and
    /// returns them.
    async fn until_received(&self, count: usize) -> Vec<Value> {
        let received =
            wait::until_async(|| self.received(), |r: &Vec<Value>| r.len() >= count).await;
        assert!(
            received.len() >= count,
            "{} requests arrived, {count} awaited",
            received.len()
        );
        received
    }
}

fn configure_identity() {
    identity::configure(
        Identity::new("otlp-test")
            .instance("otlp-1")
            .version("9.9.9"),
    );
}

fn own(name: &str) -> f64 {
    monitor_tests::sample(name, &[]).unwrap_or_else(|| panic!("{name} is exposed"))
}

/// A number of the JSON mapping: a number, or a string (64-bit integers,
/// `Infinity`, `NaN`); absent means 0, the default.
fn number(value: &Value) -> f64 {
    match value {
        Value::Null => 0.0,
        Value::Number(number) => number.as_f64().unwrap(),
        Value::String(text) => match text.as_str() {
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            other => other
                .parse()
                .unwrap_or_else(|_| panic!("not a number: {other}")),
        },
        other => panic!("not a number: {other}"),
    }
}

/// The metrics of a request (one resource, one scope).
fn metrics_of(request: &Value) -> &Vec<Value> {
    request["resource_metrics"][0]["scope_metrics"][0]["metrics"]
        .as_array()
        .expect("metrics")
}

fn attributes(point: &Value) -> Vec<(String, String)> {
    point["attributes"]
        .as_array()
        .map(|attributes| {
            attributes
                .iter()
                .map(|pair| {
                    (
                        pair["key"].as_str().unwrap().to_owned(),
                        pair["value"]["string_value"]
                            .as_str()
                            .unwrap_or("")
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A series of the text format: name, labels sorted (bounds and quantiles as
/// numbers, so that `1` and `1.0` are one).
type Key = (String, Vec<(String, String)>);

fn key(name: &str, labels: &[(String, String)]) -> Key {
    let mut labels: Vec<(String, String)> = labels
        .iter()
        .map(|(label, value)| {
            let value = if label == "le" || label == "quantile" {
                format!(
                    "{:?}",
                    number(&Value::String(value.replace("+Inf", "Infinity")))
                )
            } else {
                value.clone()
            };
            (label.clone(), value)
        })
        .collect();
    labels.sort();
    (name.to_owned(), labels)
}

fn with(labels: &[(String, String)], name: &str, value: String) -> Vec<(String, String)> {
    let mut labels = labels.to_vec();
    labels.push((name.to_owned(), value));
    labels
}

/// Every sample the text format would show for the points of `request`, with the
/// cumulative bucket counts recomputed from OTLP's counts per bucket.
fn samples_of(request: &Value) -> BTreeMap<Key, f64> {
    let mut samples = BTreeMap::new();
    for metric in metrics_of(request) {
        let name = metric["name"].as_str().unwrap();
        if let Some(data) = metric.get("sum").or_else(|| metric.get("gauge")) {
            for point in data["data_points"].as_array().unwrap() {
                samples.insert(key(name, &attributes(point)), number(&point["as_double"]));
            }
        } else if let Some(histogram) = metric.get("histogram") {
            for point in histogram["data_points"].as_array().unwrap() {
                let labels = attributes(point);
                let bounds = point["explicit_bounds"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let counts = point["bucket_counts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                assert_eq!(
                    counts.len(),
                    bounds.len() + 1,
                    "{name}: a count per bucket, +Inf's last"
                );
                let mut cumulative = 0.0;
                for (at, count) in counts.iter().enumerate() {
                    cumulative += number(count);
                    let le = bounds
                        .get(at)
                        .map_or("+Inf".to_owned(), |bound| number(bound).to_string());
                    samples.insert(
                        key(&format!("{name}_bucket"), &with(&labels, "le", le)),
                        cumulative,
                    );
                }
                samples.insert(key(&format!("{name}_sum"), &labels), number(&point["sum"]));
                samples.insert(
                    key(&format!("{name}_count"), &labels),
                    number(&point["count"]),
                );
            }
        } else if let Some(histogram) = metric.get("exponential_histogram") {
            for point in histogram["data_points"].as_array().unwrap() {
                let labels = attributes(point);
                let count = number(&point["count"]);
                let every = with(&labels, "le", "+Inf".to_owned());
                samples.insert(key(&format!("{name}_bucket"), &every), count);
                samples.insert(key(&format!("{name}_sum"), &labels), number(&point["sum"]));
                samples.insert(key(&format!("{name}_count"), &labels), count);
            }
        } else if let Some(summary) = metric.get("summary") {
            for point in summary["data_points"].as_array().unwrap() {
                let labels = attributes(point);
                for quantile in point["quantile_values"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                {
                    let q = number(&quantile["quantile"]).to_string();
                    samples.insert(
                        key(name, &with(&labels, "quantile", q)),
                        number(&quantile["value"]),
                    );
                }
                samples.insert(key(&format!("{name}_sum"), &labels), number(&point["sum"]));
                samples.insert(
                    key(&format!("{name}_count"), &labels),
                    number(&point["count"]),
                );
            }
        } else {
            panic!("{name}: no data of a known type: {metric}");
        }
    }
    samples
}

/// The samples of `/metrics` now.
fn exposition() -> BTreeMap<Key, f64> {
    let text = String::from_utf8(monitor_runtime::render(Format::Text)).unwrap();
    monitor_tests::parse_samples(&text)
        .into_iter()
        .map(|sample| (key(&sample.name, &sample.labels), sample.value))
        .collect()
}

/// Figures of the process, the host and the runtime, which the export and the
/// receiver's answers move by themselves (open descriptors, memory, threads), and
/// the exporter's own: they can go and come back between two readings, so only
/// their presence is compared.
fn moves(name: &str) -> bool {
    const MOVING: [&str; 5] = [
        "process_",
        "system_",
        "tokio_",
        "monitor_otlp_",
        "monitor_exposition_renders_total",
    ];
    MOVING.iter().any(|prefix| name.starts_with(prefix))
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// The value of the first series named `name` whose labels include `labels`.
fn lookup(samples: &BTreeMap<Key, f64>, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let labels: Vec<(String, String)> = labels
        .iter()
        .map(|(label, value)| ((*label).to_owned(), (*value).to_owned()))
        .collect();
    let (_, wanted) = key(name, &labels);
    samples
        .iter()
        .find(|((sent, sent_labels), _)| {
            sent == name && wanted.iter().all(|pair| sent_labels.contains(pair))
        })
        .map(|(_, value)| *value)
}

/// The value of the first series named `name` whose labels include `labels`, in a
/// request.
fn value_in(request: &Value, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    lookup(&samples_of(request), name, labels)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_series_arrives_with_the_value_metrics_shows() {
    let _serial = SERIAL.lock().await;
    let Some(receiver) = Receiver::start() else {
        return;
    };
    configure_identity();
    ORDERS.inc_by(3.0, [&"pro"]);
    ORDERS.inc_by(1.0, [&"free"]);
    QUEUE.set(7.0, []);
    for euros in [5.0, 50.0, 500.0, 20.0] {
        BASKETS.observe(euros, []);
        NATIVE.observe(euros, []);
    }
    let _ = checkout(false);
    let _ = checkout(true);
    {
        let _in_trace = exemplars::enter(TraceContext::new(TRACE, SPAN).unwrap());
        let _ = checkout(false);
    }

    let export = Otlp::new(&receiver.url())
        .interval(Duration::from_secs(3600))
        .start();
    receiver.until_received(1).await;
    // The series that do not move between two readings of `/metrics` must arrive
    // with that very value in the snapshot taken between them.
    let before = exposition();
    export.now();
    let request = receiver.until_received(2).await.pop().unwrap();
    let after = exposition();
    let sent = samples_of(&request);
    let mut compared = 0;
    for (series, value) in &before {
        let arrived = sent.get(series);
        assert!(arrived.is_some(), "{series:?} of /metrics did not arrive");
        if !moves(&series.0) && after.get(series).is_some_and(|later| same(*later, *value)) {
            assert!(
                same(*arrived.unwrap(), *value),
                "{series:?}: /metrics shows {value}, OTLP sent {arrived:?}"
            );
            compared += 1;
        }
    }
    let steady = before.keys().filter(|series| !moves(&series.0)).count();
    assert!(
        compared * 10 >= steady * 9 && compared > 50,
        "{compared} of {steady} series compared"
    );
    for (name, labels, value) in [
        ("otlp_orders_total", vec![("plan", "pro")], 3.0),
        ("otlp_orders_total", vec![("plan", "free")], 1.0),
        ("otlp_queue_messages", vec![], 7.0),
        ("otlp_basket_euros_bucket", vec![("le", "10")], 1.0),
        ("otlp_basket_euros_bucket", vec![("le", "100")], 3.0),
        ("otlp_basket_euros_bucket", vec![("le", "+Inf")], 4.0),
        ("otlp_basket_euros_sum", vec![], 575.0),
        ("otlp_native_basket_euros_count", vec![], 4.0),
        ("otlp_native_basket_euros_sum", vec![], 575.0),
        (
            "function_calls_total",
            vec![("function", "checkout"), ("result", "ok")],
            2.0,
        ),
        (
            "function_calls_total",
            vec![("function", "checkout"), ("result", "error")],
            1.0,
        ),
        ("target_info", vec![("service_name", "otlp-test")], 1.0),
    ] {
        assert_eq!(
            lookup(&sent, name, &labels),
            Some(value),
            "{name}{labels:?}"
        );
    }

    // The resource is the identity.
    let resource = attributes(&request["resource_metrics"][0]["resource"]);
    for pair in [
        ("service.name", "otlp-test"),
        ("service.instance.id", "otlp-1"),
        ("service.version", "9.9.9"),
    ] {
        assert!(
            resource.contains(&(pair.0.to_owned(), pair.1.to_owned())),
            "{pair:?} in {resource:?}"
        );
    }

    // Cumulative from the process' start; the Prometheus names unchanged.
    let start = own("process_start_time_seconds");
    let mut kinds = BTreeMap::new();
    for metric in metrics_of(&request) {
        let name = metric["name"].as_str().unwrap();
        for kind in ["sum", "histogram", "exponential_histogram"] {
            if let Some(data) = metric.get(kind) {
                *kinds.entry(kind).or_insert(0) += 1;
                assert_eq!(
                    data["aggregation_temporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE",
                    "{name}"
                );
                if kind == "sum" {
                    assert_eq!(data["is_monotonic"], true, "{name}");
                }
                for point in data["data_points"].as_array().unwrap() {
                    let from = number(&point["start_time_unix_nano"]);
                    assert_eq!(
                        from,
                        (start * 1e9).round(),
                        "{name} counts from the process' start"
                    );
                    assert!(from <= number(&point["time_unix_nano"]));
                }
            }
        }
    }
    assert_eq!(
        kinds.len(),
        3,
        "sums, histograms and exponential histograms: {kinds:?}"
    );
    let kind_of = |name: &str| {
        metrics_of(&request)
            .iter()
            .find(|metric| metric["name"] == name)
            .map(|metric| {
                [
                    "sum",
                    "gauge",
                    "histogram",
                    "exponential_histogram",
                    "summary",
                ]
                .into_iter()
                .find(|kind| metric.get(*kind).is_some())
                .unwrap()
            })
    };
    assert_eq!(kind_of("function_calls_total"), Some("sum"));
    assert_eq!(
        kind_of("function_calls_duration_seconds"),
        Some("histogram")
    );
    assert_eq!(
        kind_of("otlp_native_basket_euros"),
        Some("exponential_histogram")
    );
    assert_eq!(kind_of("otlp_queue_messages"), Some("gauge"));
    assert_eq!(kind_of("target_info"), Some("gauge"));

    // The call made in the trace is an exemplar with the trace's ids.
    let trace_hex = format!("{TRACE:032x}");
    let exemplar = metrics_of(&request)
        .iter()
        .filter(|metric| {
            metric["name"]
                .as_str()
                .unwrap()
                .starts_with("function_calls_")
        })
        .flat_map(|metric| {
            ["sum", "histogram"]
                .into_iter()
                .filter_map(|kind| metric.get(kind))
                .flat_map(|data| data["data_points"].as_array().unwrap().clone())
                .collect::<Vec<_>>()
        })
        .filter(|point| attributes(point).contains(&("function".to_owned(), "checkout".to_owned())))
        .flat_map(|point| point["exemplars"].as_array().cloned().unwrap_or_default())
        .find(|exemplar| exemplar["trace_id"] == trace_hex.as_str());
    let exemplar = exemplar.expect("an exemplar of checkout carries the trace id");
    assert_eq!(exemplar["span_id"], format!("{SPAN:016x}").as_str());

    export.stop().await.expect("everything sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outage_loses_nothing_within_the_bound() {
    let _serial = SERIAL.lock().await;
    let Some(receiver) = Receiver::start() else {
        return;
    };
    configure_identity();
    let dropped = own("monitor_otlp_points_dropped_total");
    let retries = own("monitor_otlp_retries_total");
    let export = Otlp::new(&receiver.url())
        .interval(Duration::from_secs(3600))
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .start();
    receiver.until_received(1).await;

    receiver.outage(true).await;
    let snapshots = 3;
    for at in 1..=snapshots {
        QUEUE.set(f64::from(100 + at), []);
        export.now();
        let refused =
            wait::until_async(|| receiver.refused(), |refused| *refused >= at as u64).await;
        assert!(refused >= at as u64, "the exporter tried during the outage");
    }
    assert!(
        own("monitor_otlp_buffered_points") > 0.0,
        "the snapshots wait"
    );
    receiver.outage(false).await;

    let received = receiver.until_received(1 + snapshots as usize).await;
    let buffered = wait::until(
        || own("monitor_otlp_buffered_points"),
        |points| *points == 0.0,
    );
    assert_eq!(buffered, 0.0, "the buffer drains");
    let queue: Vec<f64> = received[1..]
        .iter()
        .map(|request| value_in(request, "otlp_queue_messages", &[]).unwrap())
        .collect();
    assert_eq!(queue, [101.0, 102.0, 103.0], "every snapshot, in order");
    let times: Vec<f64> = received
        .iter()
        .map(|request| {
            let metric = metrics_of(request)
                .iter()
                .find(|metric| metric["name"] == "otlp_queue_messages")
                .unwrap();
            number(&metric["gauge"]["data_points"][0]["time_unix_nano"])
        })
        .collect();
    assert!(times.windows(2).all(|pair| pair[0] < pair[1]), "{times:?}");
    assert_eq!(
        own("monitor_otlp_points_dropped_total"),
        dropped,
        "nothing dropped"
    );
    assert!(
        own("monitor_otlp_retries_total") > retries,
        "the refusals were retried"
    );
    export.stop().await.expect("everything sent");
}

/// The points of one request.
fn points(request: &Value) -> usize {
    metrics_of(request)
        .iter()
        .map(|metric| {
            [
                "sum",
                "gauge",
                "histogram",
                "exponential_histogram",
                "summary",
            ]
            .into_iter()
            .filter_map(|kind| metric.get(kind))
            .map(|data| data["data_points"].as_array().unwrap().len())
            .sum::<usize>()
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn beyond_the_bound_the_oldest_snapshots_are_dropped_and_counted() {
    let _serial = SERIAL.lock().await;
    let Some(receiver) = Receiver::start() else {
        return;
    };
    configure_identity();
    // How many points a snapshot holds: one export, sent at once.
    let probe = Otlp::new(&receiver.url()).start();
    let per_snapshot = points(&receiver.until_received(1).await[0]);
    probe.stop().await.unwrap();
    let already = receiver.until_received(2).await.len();

    // Room for one snapshot and a half.
    receiver.outage(true).await;
    let dropped = own("monitor_otlp_points_dropped_total");
    let export: Background = Otlp::new(&receiver.url())
        .interval(Duration::from_secs(3600))
        .max_buffered_points(per_snapshot + per_snapshot / 2)
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .start();
    for at in 1..=2 {
        QUEUE.set(f64::from(200 + at), []);
        export.now();
    }
    let dropped_now = own("monitor_otlp_points_dropped_total") - dropped;
    assert_eq!(
        dropped_now as usize,
        2 * per_snapshot,
        "the two oldest snapshots are dropped, every point counted"
    );
    assert_eq!(own("monitor_otlp_buffered_points") as usize, per_snapshot);

    // What the buffer kept arrives: the newest snapshot.
    receiver.outage(false).await;
    let received = receiver.until_received(already + 1).await;
    assert_eq!(
        value_in(&received[already], "otlp_queue_messages", &[]),
        Some(202.0)
    );
    export.stop().await.expect("the last snapshot is sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn stop_flushes_what_is_buffered() {
    let _serial = SERIAL.lock().await;
    let Some(receiver) = Receiver::start() else {
        return;
    };
    configure_identity();
    receiver.outage(true).await;
    // Retries so far apart that only the stop sends.
    let export = Otlp::new(&receiver.url())
        .interval(Duration::from_secs(3600))
        .backoff(Duration::from_secs(3600), Duration::from_secs(3600))
        .start();
    QUEUE.set(301.0, []);
    export.now();
    let refused = wait::until_async(|| receiver.refused(), |refused| *refused >= 1).await;
    assert!(refused >= 1, "the first send was refused");
    assert_eq!(receiver.received().await.len(), 0);
    receiver.outage(false).await;
    QUEUE.set(302.0, []);
    export.stop().await.expect("the stop sends everything");
    // The start's snapshot, `now`'s and the stop's.
    let received = receiver.received().await;
    assert_eq!(received.len(), 3);
    assert_eq!(
        value_in(&received[1], "otlp_queue_messages", &[]),
        Some(301.0)
    );
    assert_eq!(
        value_in(&received[2], "otlp_queue_messages", &[]),
        Some(302.0)
    );

    // A collector still away at the stop: it says what was left unsent.
    receiver.outage(true).await;
    let export = Otlp::new(&receiver.url())
        .backoff(Duration::from_millis(20), Duration::from_millis(50))
        .flush_deadline(Duration::from_millis(300))
        .start();
    let error = export.stop().await.expect_err("nothing could be sent");
    assert!(
        error.to_string().ends_with("OTLP data points left unsent"),
        "{error}"
    );
}
