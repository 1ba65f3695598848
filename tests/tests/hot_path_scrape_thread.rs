//! `/metrics` is rendered off the async workers: the test exporter runs on a single
//! async worker (a current-thread runtime), and while a rendering is held up inside a
//! collector, the probes and a second route still answer on that worker.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use monitor_tests::server::TestServer;
use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntGauge, Opts};

/// A collector that, once armed, holds the rendering until the test releases it.
struct Gate {
    gauge: IntGauge,
    armed: AtomicBool,
    entered: Mutex<Option<mpsc::Sender<()>>>,
    release: Mutex<Option<mpsc::Receiver<()>>>,
}

impl Collector for Gate {
    fn desc(&self) -> Vec<&Desc> {
        self.gauge.desc()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        if self.armed.swap(false, Ordering::SeqCst) {
            if let Some(entered) = self.entered.lock().unwrap().take() {
                entered.send(()).ok();
            }
            if let Some(release) = self.release.lock().unwrap().take() {
                // Bounded: a test that went wrong still ends.
                release.recv_timeout(Duration::from_secs(30)).ok();
            }
        }
        self.gauge.collect()
    }
}

#[tokio::test]
async fn probes_answer_while_a_rendering_is_held_up() {
    let (entered_tx, entered_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel();
    let gate: &'static Gate = Box::leak(Box::new(Gate {
        gauge: IntGauge::with_opts(Opts::new("scrape_gate_value", "A gate.")).unwrap(),
        armed: AtomicBool::new(false),
        entered: Mutex::new(None),
        release: Mutex::new(None),
    }));
    struct Shared(&'static Gate);
    impl Collector for Shared {
        fn desc(&self) -> Vec<&Desc> {
            self.0.desc()
        }
        fn collect(&self) -> Vec<MetricFamily> {
            self.0.collect()
        }
    }
    monitor_runtime::registry()
        .register(Box::new(Shared(gate)))
        .unwrap();
    let server = TestServer::start();
    *gate.entered.lock().unwrap() = Some(entered_tx);
    *gate.release.lock().unwrap() = Some(release_rx);
    gate.armed.store(true, Ordering::SeqCst);

    let metrics = server.url("/metrics");
    let scrape = tokio::spawn(async move { monitor_tests::http::get(&metrics).await });
    tokio::task::spawn_blocking(move || entered_rx.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .expect("the rendering reached the collector");

    // The rendering is held up; the exporter's only async worker still serves.
    let live = tokio::time::timeout(
        Duration::from_secs(10),
        monitor_tests::http::get(&server.url("/health/live")),
    )
    .await
    .expect("the liveness probe answers while /metrics renders")
    .expect("a response");
    assert_eq!(live.status, 200);

    release_tx.send(()).unwrap();
    let scraped = scrape.await.unwrap().expect("the scrape is answered");
    assert_eq!(scraped.status, 200);
    assert!(scraped.body.contains("scrape_gate_value 0"));
}
