//! The bound of the remote-write buffer: with the receiver away, snapshots beyond
//! the bound drop the oldest ones, every dropped sample is counted, and what the
//! buffer kept arrives once the receiver (a real VictoriaMetrics) is back.

use std::time::{Duration, Instant};

use monitor_runtime::identity::{self, Identity};
use monitor_runtime::push::RemoteWrite;
use monitor_tests::engines::{self, PATIENCE};
use monitor_tests::tools;

monitor_runtime::business_metrics! {
    counter EVENTS = "rw_bound_events_total", help = "Events.";
}

const SERIES: &str = r#"rw_bound_events_total{job="rw-bound",instance="rw-b"}"#;

fn own(name: &str) -> f64 {
    monitor_tests::sample(name, &[]).unwrap_or_else(|| panic!("{name} is exposed"))
}

/// The samples waiting in remote write's buffer.
fn buffered() -> usize {
    own("monitor_remote_write_buffered_samples") as usize
}

async fn until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !condition() {
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn beyond_the_bound_the_oldest_snapshots_are_dropped_and_counted() {
    if !tools::require("victoria-metrics") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let mut vm = engines::victoria_metrics(root.path()).await;
    vm.stop();
    identity::configure(Identity::new("rw-bound").instance("rw-b"));

    // One snapshot holds every sample of the exposition; the bound holds two and a half.
    let per_snapshot =
        monitor_tests::parse_samples(&monitor_runtime::render_metrics().unwrap()).len();
    let bound = 2 * per_snapshot + per_snapshot / 2;
    let task = RemoteWrite::new(&format!("{}/api/v1/write", vm.url()))
        .interval(Duration::from_secs(3600))
        .max_buffered_samples(bound)
        .backoff(Duration::from_millis(50), Duration::from_millis(200))
        .start();
    until("the first snapshot", || buffered() > 0).await;
    assert_eq!(
        buffered(),
        per_snapshot,
        "a snapshot is the whole exposition"
    );

    // Four more while the receiver is away: the three oldest of five go.
    for _ in 0..4 {
        EVENTS.inc([]);
        task.now();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert_eq!(buffered(), 2 * per_snapshot);
    assert!(buffered() <= bound);
    assert_eq!(
        own("monitor_remote_write_samples_dropped_total") as usize,
        3 * per_snapshot,
        "every dropped sample is counted"
    );

    // What was kept arrives: the two newest snapshots.
    vm.restart().await;
    until("the buffer drains", || buffered() == 0).await;
    let deadline = Instant::now() + PATIENCE;
    let values = loop {
        let values: Vec<f64> = engines::export(&vm, SERIES)
            .await
            .into_iter()
            .flat_map(|(_, values)| values)
            .collect();
        if values.len() >= 2 || Instant::now() > deadline {
            break values;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(values, [3.0, 4.0]);
    task.stop().await.unwrap();
}
