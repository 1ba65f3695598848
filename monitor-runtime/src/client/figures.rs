//! The figures of outgoing calls: their storage, integer histograms in core's
//! sharded words (`core::shard`, as the HTTP server layer keeps its own), and their
//! families in the model (`core::model`), claimed at start-up.
//!
//! A call finds its host when it starts (a read lock and a hash of the host's
//! name) and its series when it ends: one per method, status and error kind, few
//! per host, found by a scan of the host's list under a read lock. A series' labels
//! are built once, when it is created; a call adds to its bucket and to the
//! nanosecond sum in the shard of its thread.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, RwLock};

use crate::core::exemplar::{BucketExemplars, TraceContext};
use crate::core::model::{Family, Histogram, Kind, Labels, Value};
use crate::core::{
    Bounds, Claim, INITIALISERS, Initialiser, Phase, Shard, ShardedWords, Source, add_source,
    ignore_poison, report,
};

/// How many distinct hosts `server_address` names before folding new ones into
/// `_OTHER`.
pub(crate) const MAX_SERVER_ADDRESSES: usize = 100;

/// The `server_address` of the hosts past [`MAX_SERVER_ADDRESSES`].
pub(crate) const OTHER_SERVER_ADDRESS: &str = "_OTHER";

const DURATION: &str = "http_client_request_duration_seconds";
const DURATION_HELP: &str =
    "Duration of outgoing HTTP requests, until the response head or the failure, in seconds.";
const OVERFLOW: &str = "http_client_server_address_overflow_total";
const OVERFLOW_HELP: &str = "Outgoing requests whose host was folded into \
                             server_address=\"_OTHER\" (the label's bound was reached).";

/// The bounds of the duration histogram, in seconds: the OpenTelemetry HTTP
/// conventions' (an outgoing call crosses the network).
const DURATION_BOUNDS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

static BOUNDS: LazyLock<Bounds> = LazyLock::new(|| Bounds::new(DURATION_BOUNDS, 1e9));

const CLAIMS: [Claim; 2] = [
    Claim::new(DURATION, Kind::Histogram, DURATION_HELP),
    Claim::new(OVERFLOW, Kind::Counter, OVERFLOW_HELP),
];

/// A host named in `server_address`, and its series.
pub(super) struct Host {
    name: Box<str>,
    series: RwLock<Vec<&'static CallSeries>>,
}

/// The duration histogram of one method, host, status and error kind: the sum in
/// nanoseconds at word 0, a bucket per bound and +Inf after it.
struct CallSeries {
    method: &'static str,
    /// The status answered, 0 when no response came.
    status: u16,
    /// The kind of failure when no response came, empty otherwise.
    kind: Cow<'static, str>,
    labels: Labels,
    cells: ShardedWords,
    /// The exemplars of the buckets, made by the first traced call.
    exemplars: BucketExemplars,
}

/// The hosts named so far (at most [`MAX_SERVER_ADDRESSES`]), and the order they
/// came in.
#[derive(Default)]
struct Hosts {
    by_name: HashMap<Box<str>, &'static Host>,
    all: Vec<&'static Host>,
}

static HOSTS: LazyLock<RwLock<Hosts>> = LazyLock::new(Default::default);

/// The host of the calls past the bound.
static OTHER: LazyLock<Host> = LazyLock::new(|| Host::new(OTHER_SERVER_ADDRESS));

/// Calls whose host was folded into [`OTHER_SERVER_ADDRESS`].
static OVERFLOWED: AtomicU64 = AtomicU64::new(0);

impl Host {
    fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            series: RwLock::new(Vec::new()),
        }
    }

    /// The host's name, as `server_address` shows it.
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    /// Records a call of `nanos`: answered `status`, or failed with `kind` when
    /// `status` is `None`; in the sampled trace `context`, its exemplar.
    pub(super) fn record(
        &self,
        method: &'static str,
        status: Option<u16>,
        kind: &str,
        nanos: u64,
        context: Option<TraceContext>,
    ) {
        let status = status.unwrap_or(0);
        let kind = if status == 0 { kind } else { "" };
        let series = self
            .find(method, status, kind)
            .unwrap_or_else(|| self.create(method, status, kind));
        let block = series.cells.block(Shard::current().index());
        block.add(1 + BOUNDS.bucket(nanos), 1);
        if nanos != 0 {
            block.add(0, nanos);
        }
        if let Some(context) = context {
            let now = crate::core::clock().raw();
            series
                .exemplars
                .offer_duration(&BOUNDS, context, nanos, now);
        }
    }

    fn find(&self, method: &str, status: u16, kind: &str) -> Option<&'static CallSeries> {
        ignore_poison(self.series.read())
            .iter()
            .find(|series| {
                series.method == method && series.status == status && series.kind == kind
            })
            .copied()
    }

    #[cold]
    fn create(&self, method: &'static str, status: u16, kind: &str) -> &'static CallSeries {
        let mut all = ignore_poison(self.series.write());
        if let Some(series) = all.iter().find(|series| {
            series.method == method && series.status == status && series.kind == kind
        }) {
            return series;
        }
        let status_label = if status == 0 {
            String::new()
        } else {
            status.to_string()
        };
        // OpenTelemetry's rule for clients: a 4xx or 5xx answer is an error of
        // that status.
        let error_type = if status >= 400 {
            status_label.clone()
        } else {
            kind.to_owned()
        };
        let labels = Labels::new([
            ("http_request_method", Cow::Borrowed(method)),
            ("server_address", Cow::Owned(self.name.to_string())),
            ("http_response_status_code", Cow::Owned(status_label)),
            ("error_type", Cow::Owned(error_type)),
        ])
        .leaked();
        // One per method, host, status and kind, for the life of the program.
        let series: &'static CallSeries = Box::leak(Box::new(CallSeries {
            method,
            status,
            kind: Cow::Owned(kind.to_owned()),
            labels,
            cells: ShardedWords::new(1 + BOUNDS.buckets()),
            exemplars: BucketExemplars::default(),
        }));
        all.push(series);
        series
    }
}

/// The host of `host` (lowercased, without a final dot) while the bound allows;
/// [`OTHER_SERVER_ADDRESS`] past it, the call counted.
pub(super) fn server_address(host: &str) -> &'static Host {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some(known) = ignore_poison(HOSTS.read()).by_name.get(host.as_str()) {
        return known;
    }
    let mut hosts = ignore_poison(HOSTS.write());
    if let Some(known) = hosts.by_name.get(host.as_str()) {
        return known;
    }
    if hosts.all.len() < MAX_SERVER_ADDRESSES {
        let new: &'static Host = Box::leak(Box::new(Host::new(&host)));
        hosts.by_name.insert(host.into_boxed_str(), new);
        hosts.all.push(new);
        return new;
    }
    OVERFLOWED.fetch_add(1, Ordering::Relaxed);
    &OTHER
}

/// The families of outgoing calls.
struct ClientFamilies;

static FAMILIES: ClientFamilies = ClientFamilies;

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "client",
    run: add_the_source,
};

fn add_the_source() {
    if let Err(conflict) = add_source(
        &FAMILIES,
        &CLAIMS,
        "the HTTP client metrics",
        "the start-up of monitor_runtime::client",
    ) {
        report(conflict.into_error("monitor_runtime::client"));
    }
}

impl Source for ClientFamilies {
    fn collect(&self, out: &mut Vec<Family>) {
        let hosts = ignore_poison(HOSTS.read()).all.clone();
        let bounds: &'static Bounds = &BOUNDS;
        let mut durations = Family::new(DURATION, DURATION_HELP, Kind::Histogram);
        let mut buckets = Vec::with_capacity(bounds.buckets());
        for host in hosts.into_iter().chain([&*OTHER]) {
            for series in ignore_poison(host.series.read()).iter() {
                buckets.clear();
                // Buckets before the sum: a call adds to its bucket first.
                buckets.extend((0..bounds.buckets()).map(|bucket| series.cells.total(1 + bucket)));
                let sum = series.cells.total(0) as f64 / 1e9;
                let mut histogram = Histogram::classic(bounds.given(), &buckets, sum);
                histogram.exemplars = series.exemplars.read();
                durations.push(series.labels.clone(), Value::Histogram(histogram));
            }
        }
        durations.series.sort_by(|a, b| a.labels.cmp(&b.labels));
        let mut overflow = Family::new(OVERFLOW, OVERFLOW_HELP, Kind::Counter);
        overflow.push(
            Labels::empty(),
            Value::counter(OVERFLOWED.load(Ordering::Relaxed) as f64),
        );
        out.extend([durations, overflow]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_land_in_their_series_and_buckets() {
        let host = server_address("Unit-Figures.Example.");
        assert!(std::ptr::eq(host, server_address("unit-figures.example")));
        host.record("GET", Some(200), "", 3_000_000, None);
        host.record("GET", Some(200), "", 20_000_000_000, None);
        host.record("GET", Some(503), "", 1, TraceContext::new(7, 9));
        host.record("POST", None, "timeout", 0, None);
        let snapshot = crate::core::snapshot();
        let family = snapshot.family(DURATION).unwrap();
        let of = |status: &str, error: &str| {
            let series = family
                .series
                .iter()
                .find(|series| {
                    series.labels.matches(&[
                        ("server_address", "unit-figures.example"),
                        ("http_response_status_code", status),
                        ("error_type", error),
                    ])
                })
                .unwrap();
            match &series.value {
                Value::Histogram(histogram) => histogram.clone(),
                other => panic!("{other:?}"),
            }
        };
        let ok = of("200", "");
        assert_eq!((ok.count, ok.sum), (2, 20.003));
        assert_eq!(ok.cumulative[0], 1, "3 ms in the first bucket, of 5 ms");
        assert_eq!(
            ok.cumulative_count(DURATION_BOUNDS.len() - 1),
            1,
            "20 s past 10 s"
        );
        assert_eq!(of("503", "503").count, 1);
        let traced = of("503", "503");
        let (bucket, exemplar) = &traced.exemplars[0];
        assert_eq!(*bucket, 0);
        assert_eq!(
            exemplar.labels.get("trace_id"),
            Some("00000000000000000000000000000007")
        );
        assert_eq!(of("", "timeout").count, 1);
        assert_eq!(ok.bounds.as_ref(), DURATION_BOUNDS);
    }
}
