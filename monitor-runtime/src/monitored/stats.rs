//! The runtime's own storage for the figures of one monitored function, and the
//! prometheus collectors that expose it.
//!
//! A call touches only the shard of its thread (`core::shard`), a cache line no
//! other thread writes to, without a locked instruction (until there are more
//! threads than shards; the others share one, atomically): one increment when it
//! starts, and when it ends an increment of its bucket, an addition to the nanosecond sum and, for
//! an error, an increment of the error count. Everything else is derived at scrape
//! time: `ok` is the calls counted in the buckets less the errors, in flight is the
//! calls started less the calls finished. Sums are integer nanoseconds, so they add
//! without a compare-and-swap loop and stay exact.

use prometheus::core::{Collector, Desc, Describer};
use prometheus::proto::{self, MetricFamily, MetricType};
use prometheus::{HistogramOpts, Opts};

use crate::core::{CallClock, Shard, ShardedWords, clock};

/// Word offsets inside one shard.
const STARTED: usize = 0;
const ERRORS: usize = 1;
const SUM: usize = 2;
const CANCELLED: usize = 3;
const CANCELLED_SUM: usize = 4;
const BUCKETS: usize = 5;

/// The figures of one monitored function.
pub(super) struct FunctionStats {
    /// The words at the offsets above, in every shard.
    words: ShardedWords,
    /// Bucket upper bounds in whole nanoseconds (`value ≤ bound` in seconds is the
    /// same as `nanos ≤ floor(bound × 10⁹)` for whole nanoseconds).
    bounds_nanos: Box<[u64]>,
    /// The bounds as given, for the exposition.
    bounds: Box<[f64]>,
    /// A copy of [`clock`], one pointer hop closer.
    clock: CallClock,
}

impl FunctionStats {
    pub(super) fn new(bounds: &[f64]) -> Self {
        // Finished calls and cancelled calls each have a bucket per bound and +Inf.
        let words = BUCKETS + 2 * (bounds.len() + 1);
        Self {
            words: ShardedWords::new(words),
            bounds_nanos: bounds.iter().map(|bound| nanos(*bound)).collect(),
            bounds: bounds.into(),
            clock: clock().clone(),
        }
    }

    /// Adds `value` to a word of `shard` ([`Shard::index`] of the current thread).
    #[inline(always)]
    fn add(&self, shard: usize, offset: usize, value: u64) {
        self.words.add(shard, offset, value);
    }

    /// The bucket (not cumulative) `nanos` falls in; the last is +Inf. A linear scan
    /// from the smallest bound: most calls fall in the first buckets, where it stops
    /// after a comparison or two.
    #[inline(always)]
    fn bucket(&self, nanos: u64) -> usize {
        self.bounds_nanos
            .iter()
            .position(|bound| nanos <= *bound)
            .unwrap_or(self.bounds_nanos.len())
    }

    /// The clock calls are timed with.
    #[inline(always)]
    pub(super) fn clock(&self) -> &CallClock {
        &self.clock
    }

    /// A call started.
    #[inline(always)]
    pub(super) fn start(&self) {
        self.add(Shard::current().index(), STARTED, 1);
    }

    /// A call finished (returned, or panicked: an error) after `nanos`. The shard is
    /// looked up again, not kept from the start: an asynchronous call may end on
    /// another thread, and a thread writes only to its own shard (or the shared one).
    #[inline(always)]
    pub(super) fn finish(&self, nanos: u64, is_error: bool) {
        let shard = Shard::current().index();
        self.add(shard, BUCKETS + self.bucket(nanos), 1);
        self.add(shard, SUM, nanos);
        if is_error {
            self.add(shard, ERRORS, 1);
        }
    }

    /// A call was cancelled after `nanos`.
    pub(super) fn cancel(&self, nanos: u64) {
        let shard = Shard::current().index();
        let buckets = BUCKETS + self.bounds.len() + 1;
        self.add(shard, buckets + self.bucket(nanos), 1);
        self.add(shard, CANCELLED_SUM, nanos);
        self.add(shard, CANCELLED, 1);
    }

    /// Sums one word over every shard.
    fn total(&self, offset: usize) -> u64 {
        self.words.total(offset)
    }

    /// The non-cumulative buckets starting at `offset`, +Inf last.
    fn buckets(&self, offset: usize) -> Vec<u64> {
        (0..=self.bounds.len())
            .map(|bucket| self.total(offset + bucket))
            .collect()
    }

    /// The bucket bounds, in seconds.
    pub(super) fn bounds(&self) -> &[f64] {
        &self.bounds
    }

    /// Calls finished, and how many of them were errors.
    pub(super) fn calls(&self) -> (u64, u64) {
        // Errors first: an error is counted after its bucket, so errors never exceed
        // the calls finished.
        let errors = self.total(ERRORS);
        let finished = (0..=self.bounds.len())
            .map(|bucket| self.total(BUCKETS + bucket))
            .fold(0, u64::wrapping_add);
        (finished, errors)
    }

    /// Calls started and not yet finished nor cancelled.
    pub(super) fn in_flight(&self) -> u64 {
        // Finished and cancelled calls are read before started ones: a call starts
        // before it ends, so in flight is never negative.
        let ended = (0..2 * (self.bounds.len() + 1))
            .map(|bucket| self.total(BUCKETS + bucket))
            .fold(0, u64::wrapping_add);
        self.total(STARTED).saturating_sub(ended)
    }

    /// Calls cancelled.
    pub(super) fn cancelled(&self) -> u64 {
        self.total(CANCELLED)
    }

    /// The non-cumulative buckets (+Inf last) of the duration or cancelled-duration
    /// histogram, into `buckets`, and its sum in seconds.
    pub(super) fn histogram(&self, figure: Figure, buckets: &mut Vec<u64>) -> f64 {
        let (offset, sum) = match figure {
            Figure::CancelledDuration => (BUCKETS + self.bounds.len() + 1, CANCELLED_SUM),
            _ => (BUCKETS, SUM),
        };
        buckets.clear();
        buckets.extend((0..=self.bounds.len()).map(|bucket| self.total(offset + bucket)));
        seconds(self.total(sum))
    }

    fn snapshot(&self) -> Snapshot {
        // Finished calls are read before started ones: a call starts before it
        // finishes, so in flight is never negative.
        let finished = self.buckets(BUCKETS);
        let cancelled_buckets = self.buckets(BUCKETS + self.bounds.len() + 1);
        let errors = self.total(ERRORS);
        let cancelled = self.total(CANCELLED);
        let snapshot = Snapshot {
            count: finished.iter().sum(),
            errors,
            sum: self.total(SUM),
            finished,
            cancelled,
            cancelled_sum: self.total(CANCELLED_SUM),
            cancelled_buckets,
            started: 0,
        };
        Snapshot {
            started: self.total(STARTED),
            ..snapshot
        }
    }
}

struct Snapshot {
    started: u64,
    count: u64,
    errors: u64,
    sum: u64,
    finished: Vec<u64>,
    cancelled: u64,
    cancelled_sum: u64,
    cancelled_buckets: Vec<u64>,
}

fn nanos(seconds: f64) -> u64 {
    // `as` saturates: +Inf and huge bounds become `u64::MAX`.
    (seconds * 1e9).floor() as u64
}

fn seconds(nanos: u64) -> f64 {
    nanos as f64 / 1e9
}

/// One series of a monitored function.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Figure {
    Ok = 0,
    Error = 1,
    Duration = 2,
    InFlight = 3,
    Cancelled = 4,
    CancelledDuration = 5,
}

/// Exposes one series of a monitored function, with the name, help and labels the
/// prometheus metric it replaces had, so that the exposition is unchanged.
pub(super) struct FigureCollector {
    stats: &'static FunctionStats,
    figure: Figure,
    desc: Desc,
}

impl FigureCollector {
    pub(super) fn new(stats: &'static FunctionStats, figure: Figure, opts: Opts) -> Self {
        let desc = match figure {
            Figure::Duration | Figure::CancelledDuration => HistogramOpts {
                common_opts: opts,
                buckets: stats.bounds.to_vec(),
            }
            .describe(),
            _ => opts.describe(),
        }
        .expect("valid static metric options");
        Self {
            stats,
            figure,
            desc,
        }
    }

    fn metric(&self) -> proto::Metric {
        proto::Metric::from_label(self.desc.const_label_pairs.clone())
    }

    fn histogram(&self, sum: u64, buckets: &[u64]) -> proto::Metric {
        let mut histogram = proto::Histogram::default();
        let mut cumulative = 0;
        let bounds = self
            .stats
            .bounds
            .iter()
            .zip(buckets)
            .map(|(bound, count)| {
                cumulative += count;
                let mut bucket = proto::Bucket::default();
                bucket.set_upper_bound(*bound);
                bucket.set_cumulative_count(cumulative);
                bucket
            })
            .collect();
        histogram.set_bucket(bounds);
        histogram.set_sample_count(buckets.iter().sum());
        histogram.set_sample_sum(seconds(sum));
        let mut metric = self.metric();
        metric.set_histogram(histogram);
        metric
    }
}

impl Collector for FigureCollector {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.desc]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        if crate::core::rendering_directly() {
            // `render_metrics` writes this series itself (see `text`).
            return Vec::new();
        }
        let snapshot = self.stats.snapshot();
        let counter = |value: u64| {
            let mut counter = proto::Counter::default();
            counter.set_value(value as f64);
            let mut metric = self.metric();
            metric.set_counter(counter);
            (MetricType::COUNTER, metric)
        };
        let (kind, metric) = match self.figure {
            Figure::Ok => counter(snapshot.count.saturating_sub(snapshot.errors)),
            Figure::Error => counter(snapshot.errors),
            Figure::Cancelled => counter(snapshot.cancelled),
            Figure::InFlight => {
                let finished = snapshot.count + snapshot.cancelled;
                let mut gauge = proto::Gauge::default();
                gauge.set_value(snapshot.started.saturating_sub(finished) as f64);
                let mut metric = self.metric();
                metric.set_gauge(gauge);
                (MetricType::GAUGE, metric)
            }
            Figure::Duration => (
                MetricType::HISTOGRAM,
                self.histogram(snapshot.sum, &snapshot.finished),
            ),
            Figure::CancelledDuration => (
                MetricType::HISTOGRAM,
                self.histogram(snapshot.cancelled_sum, &snapshot.cancelled_buckets),
            ),
        };
        let mut family = MetricFamily::default();
        family.set_name(self.desc.fq_name.clone());
        family.set_help(self.desc.help.clone());
        family.set_field_type(kind);
        family.set_metric(vec![metric]);
        vec![family]
    }
}
