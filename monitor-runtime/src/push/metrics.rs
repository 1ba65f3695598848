//! The push paths' own metrics, registered at start-up so they show at zero.

use std::sync::LazyLock;

#[cfg(feature = "push")]
use prometheus::IntCounterVec;
#[cfg(feature = "remote-write")]
use prometheus::{IntCounter, IntGauge};
use prometheus::{Opts, core::Collector};

use crate::core::{INITIALISERS, Initialiser, raw_registry, report};

#[cfg(feature = "push")]
pub(super) fn pushgateway_pushes() -> &'static IntCounterVec {
    static PUSHES: LazyLock<IntCounterVec> = LazyLock::new(|| {
        let pushes = IntCounterVec::new(
            Opts::new(
                "monitor_pushgateway_pushes_total",
                "Pushes to the Pushgateway, by result (ok, error).",
            ),
            &["result"],
        )
        .expect("valid static metric options");
        for result in ["ok", "error"] {
            pushes.with_label_values(&[result]);
        }
        pushes
    });
    &PUSHES
}

/// The remote-write figures.
#[cfg(feature = "remote-write")]
pub(super) struct RemoteWriteMetrics {
    pub(super) sent: IntCounter,
    pub(super) dropped: IntCounter,
    pub(super) rejected: IntCounter,
    pub(super) retries: IntCounter,
    pub(super) buffered: IntGauge,
}

#[cfg(feature = "remote-write")]
pub(super) fn remote_write() -> &'static RemoteWriteMetrics {
    static METRICS: LazyLock<RemoteWriteMetrics> = LazyLock::new(|| {
        let counter = |name: &str, help: &str| {
            IntCounter::with_opts(Opts::new(name, help)).expect("valid static metric options")
        };
        RemoteWriteMetrics {
            sent: counter(
                "monitor_remote_write_samples_sent_total",
                "Samples the remote-write receiver accepted.",
            ),
            dropped: counter(
                "monitor_remote_write_samples_dropped_total",
                "Samples dropped unsent because the buffer was full (oldest first).",
            ),
            rejected: counter(
                "monitor_remote_write_samples_rejected_total",
                "Samples the receiver refused for good (HTTP 4xx other than 429).",
            ),
            retries: counter(
                "monitor_remote_write_retries_total",
                "Sends that failed and were retried after a backoff.",
            ),
            buffered: IntGauge::with_opts(Opts::new(
                "monitor_remote_write_buffered_samples",
                "Samples waiting to be sent.",
            ))
            .expect("valid static metric options"),
        }
    });
    &METRICS
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    name: "push",
    run: register_all,
};

fn register_all() {
    let mut collectors: Vec<Box<dyn Collector>> = Vec::new();
    #[cfg(feature = "push")]
    collectors.push(Box::new(pushgateway_pushes().clone()));
    #[cfg(feature = "remote-write")]
    {
        let metrics = remote_write();
        collectors.push(Box::new(metrics.sent.clone()));
        collectors.push(Box::new(metrics.dropped.clone()));
        collectors.push(Box::new(metrics.rejected.clone()));
        collectors.push(Box::new(metrics.retries.clone()));
        collectors.push(Box::new(metrics.buffered.clone()));
    }
    for collector in collectors {
        if let Err(conflict) = raw_registry().register_as(
            collector,
            "the push metrics",
            "the start-up of monitor_runtime::push",
        ) {
            report(conflict.into_error("monitor_runtime::push"));
        }
    }
}
