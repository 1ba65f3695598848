//! The remote-write client against Prometheus' own receiver
//! (`--web.enable-remote-write-receiver`): counters, gauges and histograms arrive
//! with the right values, labelled with the identity; shutdown flushes.

use std::time::Duration;

use monitor_runtime::identity::{self, Identity};
use monitor_runtime::monitored;
use monitor_runtime::push::RemoteWrite;
use monitor_tests::engines;
use monitor_tests::tools;

monitor_runtime::business_metrics! {
    counter EVENTS = "rw_prom_events_total", help = "Events.";
    gauge QUEUE = "rw_prom_queue_messages", help = "Messages waiting.";
}

#[derive(Debug)]
struct Failed;

#[monitored]
fn handle(fail: bool) -> Result<(), Failed> {
    if fail { Err(Failed) } else { Ok(()) }
}

#[tokio::test(flavor = "multi_thread")]
async fn values_arrive_in_prometheus_and_shutdown_flushes() {
    if !tools::require("prometheus") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let prometheus = engines::prometheus_receiver(root.path()).await;
    identity::configure(Identity::new("rw-prom").instance("rw-p1"));
    EVENTS.inc_by(5.0, []);
    QUEUE.set(42.0, []);
    for fail in [false, false, false, true] {
        let _ = handle(fail);
    }

    let task = RemoteWrite::new(&format!("{}/api/v1/write", prometheus.url()))
        .interval(Duration::from_secs(3600))
        .start();
    let target = r#"job="rw-prom",instance="rw-p1""#;
    let events = prometheus
        .query_until(&format!("rw_prom_events_total{{{target}}}"), |result| {
            result.len() == 1
        })
        .await;
    assert_eq!(events[0].value, 5.0);
    let queue = prometheus
        .query(&format!("rw_prom_queue_messages{{{target}}}"))
        .await;
    assert_eq!(queue[0].value, 42.0);
    let calls = prometheus
        .query(&format!(
            r#"sum by (result) (function_calls_total{{{target},function="handle"}})"#
        ))
        .await;
    let by_result = |result: &str| {
        calls
            .iter()
            .find(|sample| sample.label("result") == Some(result))
            .map(|sample| sample.value)
    };
    assert_eq!(by_result("ok"), Some(3.0));
    assert_eq!(by_result("error"), Some(1.0));
    let count = prometheus
        .query(&format!(
            r#"function_calls_duration_seconds_bucket{{{target},function="handle",le="+Inf"}}"#
        ))
        .await;
    assert_eq!(
        count[0].value, 4.0,
        "histograms arrive with their +Inf bucket"
    );
    let info = prometheus.query(&format!("target_info{{{target}}}")).await;
    assert_eq!(info[0].label("service_instance_id"), Some("rw-p1"));

    // Only the shutdown's snapshot can carry this.
    EVENTS.inc_by(3.0, []);
    task.stop().await.unwrap();
    let events = prometheus
        .query_until(&format!("rw_prom_events_total{{{target}}}"), |result| {
            result.first().is_some_and(|sample| sample.value == 8.0)
        })
        .await;
    assert_eq!(events.len(), 1);
}
