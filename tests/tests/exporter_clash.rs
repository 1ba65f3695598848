//! A registration clash never stops serving: `/metrics` and the probes answer, the
//! problem is counted in `monitor_registration_problems` and shown on the dashboard,
//! `init()` still returns it, and only a strict exporter refuses to start.

use std::sync::{Mutex, Once};

use monitor_runtime::{Exporter, ServeError, monitored};
use monitor_tests::server::TestServer;

/// The `error` field of every error event logged.
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct ErrorRecorder;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ErrorRecorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct ErrorField(Option<String>);
        impl tracing::field::Visit for ErrorField {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "error" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        if *event.metadata().level() == tracing::Level::ERROR {
            let mut field = ErrorField(None);
            event.record(&mut field);
            if let Some(error) = field.0 {
                ERRORS.lock().unwrap().push(error);
            }
        }
    }
}

/// Records error events from before the registry initialises.
fn record_errors() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        let subscriber = tracing_subscriber::registry().with(ErrorRecorder);
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

#[monitored(name = "clashing")]
fn first() -> u32 {
    1
}

#[monitored(name = "clashing")]
fn second() -> u32 {
    2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clash_still_serves_metrics_and_probes() {
    record_errors();
    assert_eq!(first() + second(), 3);
    let problems = monitor_runtime::init().expect_err("the clash is reported");
    assert_eq!(problems.errors().len(), 1);

    let server = TestServer::start();
    let metrics = monitor_tests::http::get(&server.url("/metrics"))
        .await
        .unwrap();
    assert_eq!(metrics.status, 200);
    let samples = monitor_tests::parse_samples(&metrics.body);
    assert_eq!(
        monitor_tests::find(&samples, "monitor_registration_problems", &[]),
        Some(1.0)
    );
    assert!(
        monitor_tests::find(
            &samples,
            "function_calls_total",
            &[("function", "clashing"), ("result", "ok")]
        )
        .is_some()
    );
    for probe in ["/livez", "/readyz", "/health/live", "/health/ready"] {
        let response = monitor_tests::http::get(&server.url(probe)).await.unwrap();
        assert_eq!(response.status, 200, "{probe}");
    }
    let dashboard = monitor_tests::http::get(&server.url("/dashboard"))
        .await
        .unwrap();
    assert!(
        dashboard.body.contains("1 registration problem(s)"),
        "{}",
        dashboard.body
    );
    assert!(
        dashboard.body.contains("exporter_clash.rs"),
        "{}",
        dashboard.body
    );

    // Binding, serving and scraping never log the problem again.
    let logged = ERRORS
        .lock()
        .unwrap()
        .iter()
        .filter(|error| error.contains("clashing"))
        .count();
    assert_eq!(logged, 1, "{:?}", ERRORS.lock().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strict_exporter_refuses_to_start() {
    record_errors();
    let exporter = Exporter::bind("127.0.0.1:0")
        .await
        .expect("binding succeeds");
    let error = exporter
        .strict(true)
        .run(async {})
        .await
        .expect_err("strict mode refuses registration problems");
    assert!(
        matches!(&error, ServeError::Init(init) if init.errors().len() == 1),
        "{error}"
    );
}
