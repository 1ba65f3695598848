//! A tracing layer that itself reads the registry and calls a monitored function
//! while it handles the runtime's own log events (here, the clash reported at
//! start-up) does not deadlock: the runtime logs only once its initialisers returned
//! and its locks are released. A deadlock fails the test through a timeout instead
//! of hanging it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use monitor_runtime::monitored;
use tracing_subscriber::layer::{Context, SubscriberExt};

#[monitored(name = "logged_twice")]
fn first() {}

#[monitored(name = "logged_twice")]
fn second() {}

#[monitored]
fn called_by_the_layer() {}

static EVENTS: AtomicUsize = AtomicUsize::new(0);

/// On every event, reads the registry and calls a monitored function, as a layer
/// that exports logs as metrics might.
struct MeteringLayer;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for MeteringLayer {
    fn on_event(&self, _: &tracing::Event<'_>, _: Context<'_, S>) {
        let families = monitor_runtime::registry().gather();
        assert!(!families.is_empty());
        called_by_the_layer();
        EVENTS.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_layer_that_reads_the_registry_does_not_deadlock_on_start_up_logs() {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let subscriber = tracing_subscriber::registry().with(MeteringLayer);
        tracing::subscriber::with_default(subscriber, || {
            let result = monitor_runtime::init();
            first();
            second();
            let text = monitor_runtime::render_metrics().unwrap();
            done.send((result.is_err(), text)).unwrap();
        });
    });
    let (clashed, text) = finished
        .recv_timeout(Duration::from_secs(60))
        .expect("start-up finished: no deadlock through the tracing layer");
    assert!(clashed, "the clash is still reported");
    assert!(
        EVENTS.load(Ordering::SeqCst) >= 1,
        "the clash was logged through the layer"
    );
    assert!(
        text.contains(r#"function_calls_total{function="called_by_the_layer""#),
        "{text}"
    );
}
