//! The push paths' own metrics, produced in the model (`core::model`) and claimed
//! at start-up so they show at zero.

#[cfg(feature = "push")]
use std::sync::LazyLock;
#[cfg(feature = "remote-write")]
use std::sync::atomic::AtomicI64;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{Claim, INITIALISERS, Initialiser, Phase, Source, add_source, report};

/// A count that only goes up.
pub(super) struct Count(AtomicU64);

impl Count {
    const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    #[cfg_attr(
        not(feature = "remote-write"),
        allow(dead_code, reason = "the Pushgateway adds one at a time")
    )]
    pub(super) fn inc_by(&self, amount: u64) {
        self.0.fetch_add(amount, Ordering::Relaxed);
    }

    pub(super) fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn value(&self) -> Value {
        Value::counter(self.get() as f64)
    }
}

#[cfg(feature = "push")]
const PUSHES: &str = "monitor_pushgateway_pushes_total";
#[cfg(feature = "push")]
const PUSHES_HELP: &str = "Pushes to the Pushgateway, by result (ok, error).";

/// `monitor_pushgateway_pushes_total`, by `result`.
#[cfg(feature = "push")]
pub(super) struct PushgatewayPushes {
    ok: Count,
    error: Count,
}

#[cfg(feature = "push")]
impl PushgatewayPushes {
    /// The count of pushes of result `[result]`: `["ok"]`, or `["error"]` (any
    /// other value counts as an error).
    pub(super) fn with_label_values(&self, result: &[&str]) -> &Count {
        match result {
            ["ok"] => &self.ok,
            _ => &self.error,
        }
    }
}

#[cfg(feature = "push")]
static PUSHGATEWAY: PushgatewayPushes = PushgatewayPushes {
    ok: Count::new(),
    error: Count::new(),
};

/// `result="error"` and `result="ok"`, sorted.
#[cfg(feature = "push")]
static RESULTS: LazyLock<[Labels; 2]> = LazyLock::new(|| {
    [
        Labels::new([("result", "error")]),
        Labels::new([("result", "ok")]),
    ]
});

#[cfg(feature = "push")]
pub(super) fn pushgateway_pushes() -> &'static PushgatewayPushes {
    &PUSHGATEWAY
}

/// A level that goes up and down.
#[cfg(feature = "remote-write")]
pub(super) struct Level(AtomicI64);

#[cfg(feature = "remote-write")]
impl Level {
    pub(super) fn set(&self, value: i64) {
        self.0.store(value, Ordering::Relaxed);
    }

    pub(super) fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(feature = "remote-write")]
const SENT: &str = "monitor_remote_write_samples_sent_total";
#[cfg(feature = "remote-write")]
const SENT_HELP: &str = "Samples the remote-write receiver accepted.";
#[cfg(feature = "remote-write")]
const DROPPED: &str = "monitor_remote_write_samples_dropped_total";
#[cfg(feature = "remote-write")]
const DROPPED_HELP: &str = "Samples dropped unsent because the buffer was full (oldest first).";
#[cfg(feature = "remote-write")]
const REJECTED: &str = "monitor_remote_write_samples_rejected_total";
#[cfg(feature = "remote-write")]
const REJECTED_HELP: &str = "Samples the receiver refused for good (HTTP 4xx other than 429).";
#[cfg(feature = "remote-write")]
const RETRIES: &str = "monitor_remote_write_retries_total";
#[cfg(feature = "remote-write")]
const RETRIES_HELP: &str = "Sends that failed and were retried after a backoff.";
#[cfg(feature = "remote-write")]
const BUFFERED: &str = "monitor_remote_write_buffered_samples";
#[cfg(feature = "remote-write")]
const BUFFERED_HELP: &str = "Samples waiting to be sent.";

/// The remote-write figures.
#[cfg(feature = "remote-write")]
pub(super) struct RemoteWriteMetrics {
    pub(super) sent: Count,
    pub(super) dropped: Count,
    pub(super) rejected: Count,
    pub(super) retries: Count,
    pub(super) buffered: Level,
}

#[cfg(feature = "remote-write")]
static REMOTE_WRITE: RemoteWriteMetrics = RemoteWriteMetrics {
    sent: Count::new(),
    dropped: Count::new(),
    rejected: Count::new(),
    retries: Count::new(),
    buffered: Level(AtomicI64::new(0)),
};

#[cfg(feature = "remote-write")]
pub(super) fn remote_write() -> &'static RemoteWriteMetrics {
    &REMOTE_WRITE
}

/// The Pushgateway's family.
#[cfg(feature = "push")]
const PUSH_CLAIMS: &[Claim] = &[Claim::new(PUSHES, Kind::Counter, PUSHES_HELP)];
#[cfg(not(feature = "push"))]
const PUSH_CLAIMS: &[Claim] = &[];

/// The remote-write families.
#[cfg(feature = "remote-write")]
const REMOTE_WRITE_CLAIMS: &[Claim] = &[
    Claim::new(SENT, Kind::Counter, SENT_HELP),
    Claim::new(DROPPED, Kind::Counter, DROPPED_HELP),
    Claim::new(REJECTED, Kind::Counter, REJECTED_HELP),
    Claim::new(RETRIES, Kind::Counter, RETRIES_HELP),
    Claim::new(BUFFERED, Kind::Gauge, BUFFERED_HELP),
];
#[cfg(not(feature = "remote-write"))]
const REMOTE_WRITE_CLAIMS: &[Claim] = &[];

/// The source of the push paths' families.
struct PushFigures;

impl Source for PushFigures {
    fn collect(&self, out: &mut Vec<Family>) {
        #[cfg(feature = "push")]
        {
            let mut pushes = Family::new(PUSHES, PUSHES_HELP, Kind::Counter);
            let [error, ok] = &*RESULTS;
            pushes.push(error.clone(), PUSHGATEWAY.error.value());
            pushes.push(ok.clone(), PUSHGATEWAY.ok.value());
            out.push(pushes);
        }
        #[cfg(feature = "remote-write")]
        {
            let metrics = &REMOTE_WRITE;
            for (name, help, count) in [
                (SENT, SENT_HELP, &metrics.sent),
                (DROPPED, DROPPED_HELP, &metrics.dropped),
                (REJECTED, REJECTED_HELP, &metrics.rejected),
                (RETRIES, RETRIES_HELP, &metrics.retries),
            ] {
                let mut family = Family::new(name, help, Kind::Counter);
                family.push(Labels::empty(), count.value());
                out.push(family);
            }
            let mut buffered = Family::new(BUFFERED, BUFFERED_HELP, Kind::Gauge);
            buffered.push(Labels::empty(), Value::Gauge(metrics.buffered.get() as f64));
            out.push(buffered);
        }
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "push",
    run: add_the_source,
};

fn add_the_source() {
    if let Err(conflict) = add_source(
        &PushFigures,
        &[PUSH_CLAIMS, REMOTE_WRITE_CLAIMS].concat(),
        "the push metrics",
        "the start-up of monitor_runtime::push",
    ) {
        report(conflict.into_error("monitor_runtime::push"));
    }
}
