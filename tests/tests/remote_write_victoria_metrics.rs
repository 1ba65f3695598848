//! The remote-write client against a real single-node VictoriaMetrics: samples
//! arrive with the right values and the identity's `job` and `instance`; while the
//! receiver is stopped, snapshots wait in the buffer and arrive, every one in
//! order, once it is back; shutdown flushes the last one.

use std::time::{Duration, Instant};

use monitor_runtime::identity::{self, Identity};
use monitor_runtime::push::RemoteWrite;
use monitor_tests::engines::{self, PATIENCE};
use monitor_tests::tools;

monitor_runtime::business_metrics! {
    counter EVENTS = "rw_vm_events_total", help = "Events.";
}

const SERIES: &str = r#"rw_vm_events_total{job="rw-service",instance="rw-1"}"#;

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
async fn samples_arrive_survive_an_outage_within_the_bound_and_are_flushed_at_shutdown() {
    if !tools::require("victoria-metrics") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let mut vm = engines::victoria_metrics(root.path()).await;
    identity::configure(Identity::new("rw-service").instance("rw-1"));
    EVENTS.inc_by(7.0, []);

    // The first snapshot is taken at start; no other until asked (the interval is long).
    let task = RemoteWrite::new(&format!("{}/api/v1/write", vm.url()))
        .interval(Duration::from_secs(3600))
        .backoff(Duration::from_millis(50), Duration::from_millis(200))
        .start();
    let arrived = vm.query_until(SERIES, |result| result.len() == 1).await;
    assert_eq!(arrived[0].value, 7.0);
    let exposed = monitor_tests::parse_samples(&monitor_runtime::render_metrics().unwrap()).len();
    until("the first snapshot is sent", || buffered() == 0).await;
    assert!(
        own("monitor_remote_write_samples_sent_total") as usize >= exposed,
        "every exposed sample was sent"
    );

    // The receiver goes away; five snapshots are taken meanwhile.
    vm.stop();
    let retries_before = own("monitor_remote_write_retries_total");
    for _ in 0..5 {
        EVENTS.inc([]);
        task.now();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    until("sends fail and are retried", || {
        own("monitor_remote_write_retries_total") > retries_before
    })
    .await;
    assert!(buffered() >= 5 * exposed, "the snapshots wait");
    assert_eq!(
        own("monitor_remote_write_buffered_samples") as usize,
        buffered()
    );

    // Back: everything buffered arrives, in order, nothing dropped.
    vm.restart().await;
    until("the buffer drains", || buffered() == 0).await;
    let deadline = Instant::now() + PATIENCE;
    let values = loop {
        let exported = engines::export(&vm, SERIES).await;
        let values: Vec<f64> = exported
            .into_iter()
            .flat_map(|(_, values)| values)
            .collect();
        if values.len() >= 6 || Instant::now() > deadline {
            break values;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        values,
        [7.0, 8.0, 9.0, 10.0, 11.0, 12.0],
        "every snapshot arrived once, in order"
    );
    assert_eq!(own("monitor_remote_write_samples_dropped_total"), 0.0);

    // Shutdown takes and sends a last snapshot.
    EVENTS.inc([]);
    task.stop().await.expect("nothing left unsent");
    let last = vm
        .query_until(SERIES, |result| {
            result.first().is_some_and(|sample| sample.value == 13.0)
        })
        .await;
    assert_eq!(last[0].label("job"), Some("rw-service"));
    assert_eq!(last[0].label("instance"), Some("rw-1"));
}
