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

/// The figures of a writer with a buffer (remote-write, OTLP): points accepted,
/// dropped for the bound, refused for good, sends retried, points waiting.
#[cfg(feature = "remote-write")]
pub(super) struct DeliveryMetrics {
    pub(super) sent: Count,
    pub(super) dropped: Count,
    pub(super) rejected: Count,
    pub(super) retries: Count,
    pub(super) buffered: Level,
}

#[cfg(feature = "remote-write")]
impl DeliveryMetrics {
    const fn new() -> Self {
        DeliveryMetrics {
            sent: Count::new(),
            dropped: Count::new(),
            rejected: Count::new(),
            retries: Count::new(),
            buffered: Level(AtomicI64::new(0)),
        }
    }

    /// Adds the families named `names` (sent, dropped, rejected, retries, buffered,
    /// with their help) to `out`.
    fn collect(&self, names: &[(&'static str, &'static str); 5], out: &mut Vec<Family>) {
        let [sent, dropped, rejected, retries, buffered] = *names;
        for ((name, help), count) in [
            (sent, &self.sent),
            (dropped, &self.dropped),
            (rejected, &self.rejected),
            (retries, &self.retries),
        ] {
            let mut family = Family::new(name, help, Kind::Counter);
            family.push(Labels::empty(), count.value());
            out.push(family);
        }
        let (name, help) = buffered;
        let mut family = Family::new(name, help, Kind::Gauge);
        family.push(Labels::empty(), Value::Gauge(self.buffered.get() as f64));
        out.push(family);
    }
}

/// The claims of the families named `names`, in [`DeliveryMetrics::collect`]'s
/// order.
#[cfg(feature = "remote-write")]
const fn delivery_claims(names: &[(&'static str, &'static str); 5]) -> [Claim; 5] {
    [
        Claim::new(names[0].0, Kind::Counter, names[0].1),
        Claim::new(names[1].0, Kind::Counter, names[1].1),
        Claim::new(names[2].0, Kind::Counter, names[2].1),
        Claim::new(names[3].0, Kind::Counter, names[3].1),
        Claim::new(names[4].0, Kind::Gauge, names[4].1),
    ]
}

/// Remote-write's families: sent, dropped, rejected, retries, buffered.
#[cfg(feature = "remote-write")]
const REMOTE_WRITE_NAMES: [(&str, &str); 5] = [
    (SENT, SENT_HELP),
    (DROPPED, DROPPED_HELP),
    (REJECTED, REJECTED_HELP),
    (RETRIES, RETRIES_HELP),
    (BUFFERED, BUFFERED_HELP),
];

#[cfg(feature = "remote-write")]
static REMOTE_WRITE: DeliveryMetrics = DeliveryMetrics::new();

#[cfg(feature = "remote-write")]
pub(super) fn remote_write() -> &'static DeliveryMetrics {
    &REMOTE_WRITE
}

/// OTLP's families, in the style of remote-write's: sent, dropped, rejected,
/// retries, buffered.
#[cfg(feature = "otlp")]
const OTLP_NAMES: [(&str, &str); 5] = [
    (
        "monitor_otlp_points_sent_total",
        "Data points the OTLP collector accepted.",
    ),
    (
        "monitor_otlp_points_dropped_total",
        "Data points dropped unsent because the buffer was full (oldest first).",
    ),
    (
        "monitor_otlp_points_rejected_total",
        "Data points the OTLP collector refused for good (an HTTP status not worth a retry).",
    ),
    (
        "monitor_otlp_retries_total",
        "OTLP exports that failed and were retried after a backoff.",
    ),
    (
        "monitor_otlp_buffered_points",
        "Data points waiting to be sent over OTLP.",
    ),
];

#[cfg(feature = "otlp")]
static OTLP: DeliveryMetrics = DeliveryMetrics::new();

#[cfg(feature = "otlp")]
pub(super) fn otlp() -> &'static DeliveryMetrics {
    &OTLP
}

/// The Pushgateway's family.
#[cfg(feature = "push")]
const PUSH_CLAIMS: &[Claim] = &[Claim::new(PUSHES, Kind::Counter, PUSHES_HELP)];
#[cfg(not(feature = "push"))]
const PUSH_CLAIMS: &[Claim] = &[];

/// The remote-write families.
#[cfg(feature = "remote-write")]
const REMOTE_WRITE_CLAIMS: &[Claim] = &delivery_claims(&REMOTE_WRITE_NAMES);
#[cfg(not(feature = "remote-write"))]
const REMOTE_WRITE_CLAIMS: &[Claim] = &[];

/// The OTLP families.
#[cfg(feature = "otlp")]
const OTLP_CLAIMS: &[Claim] = &delivery_claims(&OTLP_NAMES);
#[cfg(not(feature = "otlp"))]
const OTLP_CLAIMS: &[Claim] = &[];

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
        REMOTE_WRITE.collect(&REMOTE_WRITE_NAMES, out);
        #[cfg(feature = "otlp")]
        OTLP.collect(&OTLP_NAMES, out);
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
        &[PUSH_CLAIMS, REMOTE_WRITE_CLAIMS, OTLP_CLAIMS].concat(),
        "the push metrics",
        "the start-up of monitor_runtime::push",
    ) {
        report(conflict.into_error("monitor_runtime::push"));
    }
}
