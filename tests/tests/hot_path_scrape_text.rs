//! `render_metrics` writes the text exposition from the runtime's model rather than
//! through the prometheus text encoder: its output must be what the encoder writes for
//! the same families, byte for byte (so the same samples), and promtool must find
//! nothing in it.

use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use monitor_runtime::{business_metrics, monitored};
use prometheus::Encoder as _;

#[derive(Debug)]
struct Refused;

#[monitored]
fn validate(x: u64) -> Result<u64, Refused> {
    if x.is_multiple_of(3) {
        Err(Refused)
    } else {
        Ok(x)
    }
}

#[monitored(buckets = [0.000001, 0.5, 3])]
fn custom_buckets(x: u64) -> u64 {
    x + 1
}

/// A `function` label the encoder has to escape.
#[monitored(name = "quote\"back\\slash")]
fn escaped() {}

#[monitored]
async fn fetch(x: u64) -> Result<u64, Refused> {
    if x == 0 {
        std::future::pending::<()>().await;
    }
    Ok(x)
}

#[monitored]
fn explode() {
    panic!("exploded");
}

mod other {
    /// The same function name in another module: its own series.
    #[monitor_runtime::monitored]
    pub fn validate() {}
}

business_metrics! {
    /// Orders by status code.
    counter ORDERS = "direct_text_orders_total", help = "Orders.", labels(status);
}

/// The tests compare whole expositions: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[monitored]
fn probe() {}

fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// What the encoder writes for the families of `snapshot`, made into protos.
fn encoder_text(snapshot: &monitor_runtime::model::Snapshot) -> String {
    use monitor_runtime::model::{Kind, Value};
    use prometheus::proto;
    let families: Vec<proto::MetricFamily> = snapshot
        .families
        .iter()
        .map(|family| {
            let mut out = proto::MetricFamily::default();
            out.set_name(family.name.to_string());
            out.set_help(family.help.to_string());
            out.set_field_type(match family.kind {
                Kind::Counter => proto::MetricType::COUNTER,
                Kind::Histogram => proto::MetricType::HISTOGRAM,
                Kind::Summary => proto::MetricType::SUMMARY,
                _ => proto::MetricType::GAUGE,
            });
            let metrics = family
                .series
                .iter()
                .map(|series| {
                    let labels = series
                        .labels
                        .iter()
                        .map(|(name, value)| {
                            let mut pair = proto::LabelPair::default();
                            pair.set_name(name.to_owned());
                            pair.set_value(value.to_owned());
                            pair
                        })
                        .collect();
                    let mut metric = proto::Metric::from_label(labels);
                    match &series.value {
                        Value::Counter(counter) => {
                            let mut value = proto::Counter::default();
                            value.set_value(counter.value);
                            metric.set_counter(value);
                        }
                        Value::Histogram(histogram) => {
                            let mut value = proto::Histogram::default();
                            value.set_sample_count(histogram.count);
                            value.set_sample_sum(histogram.sum);
                            let buckets = histogram
                                .bounds
                                .iter()
                                .enumerate()
                                .map(|(at, bound)| {
                                    let mut bucket = proto::Bucket::default();
                                    bucket.set_upper_bound(*bound);
                                    bucket.set_cumulative_count(histogram.cumulative_count(at));
                                    bucket
                                })
                                .collect();
                            value.set_bucket(buckets);
                            metric.set_histogram(value);
                        }
                        other => {
                            let mut value = proto::Gauge::default();
                            value.set_value(other.scalar());
                            metric.set_gauge(value);
                        }
                    }
                    metric
                })
                .collect();
            out.set_metric(metrics);
            out
        })
        .collect();
    let mut text = Vec::new();
    prometheus::TextEncoder::new()
        .encode(&families, &mut text)
        .unwrap();
    String::from_utf8(text).unwrap()
}

#[test]
fn direct_text_is_what_the_encoder_writes() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // The other test of this file leaves a clash reported.
    let _ = monitor_runtime::init();
    for x in 0..50 {
        let _ = validate(x);
        custom_buckets(x);
        assert!(poll_once(fetch(x + 1)).is_some());
        ORDERS.inc([&(200 + x % 3)]);
    }
    escaped();
    other::validate();
    // One cancelled call, one in flight, one panic.
    assert!(poll_once(fetch(0)).is_none());
    let mut in_flight = Box::pin(fetch(0));
    assert!(poll_once(in_flight.as_mut()).is_none());
    assert!(std::panic::catch_unwind(explode).is_err());

    let snapshot = monitor_runtime::snapshot();
    let direct = String::from_utf8(monitor_runtime::Format::Text.render(&snapshot)).unwrap();
    assert!(direct.contains("function_calls_total{"));
    assert_eq!(direct, encoder_text(&snapshot));
    let direct = monitor_runtime::render_metrics().unwrap();

    let samples = monitor_tests::parse_samples(&direct);
    let value = |name: &str, labels: &[(&str, &str)]| monitor_tests::find(&samples, name, labels);
    let module = module_path!();
    assert_eq!(
        value(
            "function_calls_total",
            &[
                ("function", "validate"),
                ("module", module),
                ("result", "error")
            ]
        ),
        Some(17.0)
    );
    assert_eq!(
        value(
            "function_calls_total",
            &[
                ("function", "validate"),
                ("module", module),
                ("result", "ok")
            ]
        ),
        Some(33.0)
    );
    assert_eq!(
        value(
            "function_calls_total",
            &[
                ("function", "validate"),
                ("module", &format!("{module}::other")),
                ("result", "ok")
            ]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            "function_calls_total",
            &[("function", "quote\"back\\slash"), ("result", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            "function_calls_total",
            &[("function", "explode"), ("result", "error")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value("function_calls_cancelled_total", &[("function", "fetch")]),
        Some(1.0)
    );
    assert_eq!(
        value("function_calls_concurrent", &[("function", "fetch")]),
        Some(1.0)
    );
    assert_eq!(
        value(
            "function_calls_duration_seconds_bucket",
            &[("function", "custom_buckets"), ("le", "+Inf")]
        ),
        Some(50.0)
    );
    assert_eq!(
        value("direct_text_orders_total", &[("status", "201")]),
        Some(17.0)
    );
    drop(in_flight);

    let findings = monitor_tests::promtool::check_metrics(&direct);
    assert!(findings.is_empty(), "promtool: {findings:?}");
}

#[test]
fn a_family_of_the_application_under_a_name_of_the_runtime_is_left_out_and_reported() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    probe();
    let _ = monitor_runtime::init();
    // Straight into the prometheus registry, bypassing the clash checks.
    let foreign = prometheus::IntGauge::with_opts(
        prometheus::Opts::new(
            "function_calls_concurrent",
            "Calls of monitored functions currently in progress.",
        )
        .const_label("function", "foreign")
        .const_label("module", "elsewhere"),
    )
    .unwrap();
    monitor_runtime::registry()
        .register(Box::new(foreign.clone()))
        .unwrap();
    let text = monitor_runtime::render_metrics().unwrap();
    let again = monitor_runtime::render_metrics().unwrap();
    let problems = monitor_runtime::init().unwrap_err();
    monitor_runtime::registry()
        .unregister(Box::new(foreign))
        .unwrap();
    assert_eq!(
        text.matches("# TYPE function_calls_concurrent gauge")
            .count(),
        1,
        "{text}"
    );
    assert!(!text.contains(r#"function="foreign""#), "{text}");
    assert!(text.contains(&format!(
        r#"function_calls_concurrent{{function="probe",module="{}"}} 0"#,
        module_path!()
    )));
    assert_eq!(text.lines().count(), again.lines().count());
    // Reported once, however many scrapes.
    let reported: Vec<String> = problems
        .errors()
        .iter()
        .map(ToString::to_string)
        .filter(|error| error.contains("`function_calls_concurrent`"))
        .collect();
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert!(
        reported[0].contains("a collector of the application"),
        "{reported:?}"
    );
}
