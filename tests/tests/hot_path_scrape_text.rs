//! `render_metrics` writes the families of `#[monitored]` functions itself rather than
//! through the prometheus text encoder: its output must be what the encoder writes for
//! the same registry, byte for byte (so the same samples), and promtool must find
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

/// What the encoder writes for everything the registry gathers.
fn encoder_text() -> String {
    let mut text = Vec::new();
    prometheus::TextEncoder::new()
        .encode(&monitor_runtime::registry().gather(), &mut text)
        .unwrap();
    String::from_utf8(text).unwrap()
}

#[test]
fn direct_text_is_what_the_encoder_writes() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    monitor_runtime::init().expect("no registration problem");
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

    let direct = monitor_runtime::render_metrics().unwrap();
    let encoded = encoder_text();
    // The exposition's own counters are the same in both, as nothing failed; the
    // process collector's figures (memory, CPU time) move between the two.
    let stable = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| !line.starts_with("process_") && !line.contains(" process_"))
            .map(str::to_owned)
            .collect()
    };
    assert!(direct.contains("function_calls_total{"));
    assert_eq!(stable(&direct), stable(&encoded));

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
fn a_family_registered_elsewhere_under_a_direct_name_is_never_written_twice() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    monitor_runtime::init().expect("no registration problem");
    probe();
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
    monitor_runtime::registry()
        .unregister(Box::new(foreign))
        .unwrap();
    assert_eq!(
        text.matches("# TYPE function_calls_concurrent gauge")
            .count(),
        1,
        "{text}"
    );
    assert!(text.contains(r#"function_calls_concurrent{function="foreign",module="elsewhere"} 0"#));
    assert!(text.contains(&format!(
        r#"function_calls_concurrent{{function="probe",module="{}"}} 0"#,
        module_path!()
    )));
}
