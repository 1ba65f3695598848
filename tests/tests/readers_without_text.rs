//! No reader of the figures parses the text exposition: with the text renderer
//! broken on purpose (`__private::break_text_rendering`), `render_metrics()` is
//! garbage, and still the history, the embedded alerts and remote-write give the
//! right values, all read from the model.

use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use monitor_runtime::__private::Evaluator;
use monitor_runtime::alerts::{self, AlertSet, BusinessAlert, ServiceAlert, ServiceAlerts};
use monitor_runtime::identity::{self, Identity};
use monitor_runtime::monitored;
use monitor_runtime::push::RemoteWrite;
use monitor_tests::engines::PATIENCE;
use prost::Message as _;

monitor_runtime::business_metrics! {
    gauge BACKLOG = "readers_backlog_items", help = "Items waiting.";
    counter ORDERS = "readers_orders_total", help = "Orders.";
}

#[derive(Debug)]
struct Failed;

/// Every call lands in the `(0.001, 10]` bucket.
#[monitored(buckets = [0.001, 10])]
fn work(fail: bool) -> Result<(), Failed> {
    std::thread::sleep(Duration::from_millis(2));
    if fail { Err(Failed) } else { Ok(()) }
}

/// Breaks the text rendering, checks that it is broken, and makes the known
/// figures, once for every test: four calls of `work`, one failed; a backlog of
/// 25; 7 orders.
fn figures() {
    static FIGURES: Once = Once::new();
    FIGURES.call_once(|| {
        monitor_runtime::__private::break_text_rendering(true);
        for fail in [false, true, false, false] {
            let _ = work(fail);
        }
        BACKLOG.set(25.0, []);
        ORDERS.inc_by(7.0, []);
    });
    let text = monitor_runtime::render_metrics().unwrap();
    for family in ["# TYPE", "function_calls_total", "readers_", "target_info"] {
        assert!(!text.contains(family), "the text rendering works: {text}");
    }
    let text = monitor_runtime::render(monitor_runtime::Format::Text);
    assert!(!String::from_utf8_lossy(&text).contains("readers_"));
}

#[test]
fn the_history_reads_the_model() {
    figures();
    monitor_runtime::__private::sample_history();
    let history = monitor_runtime::__private::history().lock().unwrap();
    let view = history.view(Duration::from_secs(60));
    let work = view
        .functions
        .iter()
        .find(|function| function.name == "work")
        .expect("`work` in the history");
    assert_eq!((work.calls, work.errors), (4.0, 1.0));
    let latest = history.latest().expect("a reading");
    let timed = &latest.functions[&(work.group.clone().into(), "work".into())];
    assert_eq!(
        timed.buckets(),
        [(0.001, 0.0), (10.0, 4.0), (f64::INFINITY, 4.0)]
    );
    let business = |name: &str| {
        view.business
            .iter()
            .find(|business| business.name == name)
            .unwrap_or_else(|| panic!("{name} in the history"))
            .value
    };
    assert_eq!(business("readers_backlog_items"), 25.0);
    assert_eq!(business("readers_orders_total"), 7.0);
}

#[test]
fn the_embedded_alerts_read_the_model() {
    figures();
    // Over 10 s from nothing: an error ratio of 1/4, a p95 latency inside the
    // (0.001, 10] bucket, 0.7 orders per second.
    let set = AlertSet::new("readers")
        .service_alerts(
            ServiceAlerts::none()
                .enable(ServiceAlert::ErrorRatioCritical)
                .for_(ServiceAlert::ErrorRatioCritical, Duration::ZERO)
                .enable(ServiceAlert::LatencyCritical)
                .for_(ServiceAlert::LatencyCritical, Duration::ZERO)
                .rate_window(Duration::from_secs(60)),
        )
        .business(
            BusinessAlert::rate_above("readers_orders_total", 0.5).window(Duration::from_secs(60)),
        );
    let mut evaluator = Evaluator::new(&set, Duration::from_secs(3600));
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
    evaluator.record(start, &monitor_runtime::model::Snapshot::default());
    evaluator.record(
        start + Duration::from_secs(10),
        &monitor_runtime::snapshot(),
    );
    let evaluation = evaluator.evaluate();
    let fired = |name: &str| {
        evaluation
            .transitions
            .iter()
            .find(|transition| transition.name == name && transition.to == "firing")
            .unwrap_or_else(|| panic!("{name} fires: {evaluation:#?}"))
    };
    let errors = fired("FunctionErrorRatioCritical");
    assert_eq!(errors.labels["function"], "work");
    assert!((errors.value - 0.25).abs() < 1e-9, "{}", errors.value);
    let latency = fired("FunctionLatencyP95Critical");
    assert_eq!(latency.labels["function"], "work");
    // Rank 3.8 of 4 inside (0.001, 10]: 0.001 + 9.999 × 0.95.
    assert!(
        (latency.value - (0.001 + 9.999 * 0.95)).abs() < 1e-9,
        "{}",
        latency.value
    );
    let orders = fired("ReadersOrdersTotalRateAbove");
    assert!((orders.value - 0.7).abs() < 1e-9, "{}", orders.value);
    assert_eq!(evaluation.transitions.len(), 3, "{evaluation:#?}");

    // The process' own evaluator, as `EmbeddedAlerts::start` runs it.
    alerts::configure(
        AlertSet::new("readers")
            .service_alerts(ServiceAlerts::none())
            .business(BusinessAlert::gauge_above("readers_backlog_items", 10.0)),
    );
    let evaluation = monitor_runtime::__private::evaluate_alerts();
    assert_eq!(evaluation.transitions.len(), 1, "{evaluation:#?}");
    assert_eq!(evaluation.transitions[0].name, "ReadersBacklogItemsAbove");
    assert_eq!(evaluation.transitions[0].to, "firing");
    assert_eq!(evaluation.transitions[0].value, 25.0);
}

/// `prometheus.WriteRequest` and its parts, as remote-write 1.0 defines them.
#[derive(Clone, PartialEq, prost::Message)]
struct WriteRequest {
    #[prost(message, repeated, tag = "1")]
    timeseries: Vec<TimeSeries>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct TimeSeries {
    #[prost(message, repeated, tag = "1")]
    labels: Vec<Label>,
    #[prost(message, repeated, tag = "2")]
    samples: Vec<Sample>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Label {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(string, tag = "2")]
    value: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Sample {
    #[prost(double, tag = "1")]
    value: f64,
    #[prost(int64, tag = "2")]
    timestamp: i64,
}

type Received = Arc<Mutex<Vec<WriteRequest>>>;

/// A remote-write receiver: each body un-snappied and decoded.
async fn receive(State(received): State<Received>, body: Bytes) -> &'static str {
    let protobuf = snap::raw::Decoder::new()
        .decompress_vec(&body)
        .expect("a snappy block");
    let request = WriteRequest::decode(protobuf.as_slice()).expect("a WriteRequest");
    received.lock().unwrap().push(request);
    "ok"
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_write_reads_the_model() {
    figures();
    identity::configure(Identity::new("readers").instance("r-1"));
    let received: Received = Arc::default();
    let app = axum::Router::new()
        .route("/api/v1/write", post(receive))
        .with_state(Arc::clone(&received));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let task = RemoteWrite::new(&format!("http://{addr}/api/v1/write"))
        .interval(Duration::from_secs(3600))
        .start();
    let deadline = Instant::now() + PATIENCE;
    let request = loop {
        if let Some(request) = received.lock().unwrap().first().cloned() {
            break request;
        }
        assert!(Instant::now() < deadline, "no write request arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    task.stop().await.unwrap();
    server.abort();

    let value = |name: &str, labels: &[(&str, &str)]| {
        let found: Vec<f64> = request
            .timeseries
            .iter()
            .filter(|series| {
                let has = |wanted: &str, value: &str| {
                    series
                        .labels
                        .iter()
                        .any(|label| label.name == wanted && label.value == value)
                };
                has("__name__", name)
                    && has("job", "readers")
                    && has("instance", "r-1")
                    && labels.iter().all(|(label, value)| has(label, value))
            })
            .map(|series| series.samples[0].value)
            .collect();
        assert_eq!(found.len(), 1, "one {name} {labels:?}");
        found[0]
    };
    assert_eq!(value("readers_backlog_items", &[]), 25.0);
    assert_eq!(value("readers_orders_total", &[]), 7.0);
    let call = |result| [("function", "work"), ("result", result)];
    assert_eq!(value("function_calls_total", &call("ok")), 3.0);
    assert_eq!(value("function_calls_total", &call("error")), 1.0);
    let bucket = |le| [("function", "work"), ("le", le)];
    let histogram = "function_calls_duration_seconds_bucket";
    assert_eq!(value(histogram, &bucket("0.001")), 0.0);
    assert_eq!(value(histogram, &bucket("10")), 4.0);
    assert_eq!(value(histogram, &bucket("+Inf")), 4.0);
    assert_eq!(
        value(
            "function_calls_duration_seconds_count",
            &[("function", "work")]
        ),
        4.0
    );
    assert_eq!(value("target_info", &[("service_instance_id", "r-1")]), 1.0);
    // Labels sorted by name, as receivers expect.
    for series in &request.timeseries {
        assert!(
            series
                .labels
                .windows(2)
                .all(|pair| pair[0].name < pair[1].name)
        );
    }
}
