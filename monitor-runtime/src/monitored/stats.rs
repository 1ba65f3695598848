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

use crate::core::{Bounds, CallClock, Shard, ShardedWords, clock};

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
    /// The bucket bounds, in seconds and whole nanoseconds.
    bounds: Bounds,
    /// A copy of [`clock`], one pointer hop closer.
    clock: CallClock,
}

impl FunctionStats {
    pub(super) fn new(bounds: &[f64]) -> Self {
        let bounds = Bounds::new(bounds, 1e9);
        // Finished calls and cancelled calls each have a bucket per bound and +Inf.
        let words = BUCKETS + 2 * bounds.buckets();
        Self {
            words: ShardedWords::new(words),
            bounds,
            clock: clock().clone(),
        }
    }

    /// The clock calls are timed with.
    #[inline(always)]
    pub(super) fn clock(&self) -> &CallClock {
        &self.clock
    }

    /// A call started, in the current thread's shard, which it returns.
    #[inline(always)]
    pub(super) fn start(&self) -> usize {
        let shard = Shard::current().index();
        self.words.add(shard, STARTED, 1);
        shard
    }

    /// A call finished (returned, or panicked: an error) after `nanos`, recorded in
    /// `shard`, which must be the current thread's ([`Shard::current`]): a thread
    /// writes only to its own shard (or the shared one). A synchronous call passes the
    /// shard its start returned; an asynchronous one may end on another thread.
    #[inline(always)]
    pub(super) fn finish(&self, shard: usize, nanos: u64, is_error: bool) {
        let block = self.words.block(shard);
        block.add(BUCKETS + self.bounds.bucket(nanos), 1);
        block.add(SUM, nanos);
        if is_error {
            block.add(ERRORS, 1);
        }
    }

    /// A call was cancelled after `nanos`.
    pub(super) fn cancel(&self, nanos: u64) {
        let block = self.words.block(Shard::current().index());
        block.add(
            BUCKETS + self.bounds.buckets() + self.bounds.bucket(nanos),
            1,
        );
        block.add(CANCELLED_SUM, nanos);
        block.add(CANCELLED, 1);
    }

    /// Sums one word over every shard.
    fn total(&self, offset: usize) -> u64 {
        self.words.total(offset)
    }

    /// The non-cumulative buckets starting at `offset`, +Inf last.
    fn buckets(&self, offset: usize) -> Vec<u64> {
        (0..self.bounds.buckets())
            .map(|bucket| self.total(offset + bucket))
            .collect()
    }

    /// The bucket bounds, in seconds.
    pub(super) fn bounds(&self) -> &[f64] {
        self.bounds.given()
    }

    /// Calls finished, and how many of them were errors.
    pub(super) fn calls(&self) -> (u64, u64) {
        // Errors first: an error is counted after its bucket, so errors never exceed
        // the calls finished.
        let errors = self.total(ERRORS);
        let finished = (0..self.bounds.buckets())
            .map(|bucket| self.total(BUCKETS + bucket))
            .fold(0, u64::wrapping_add);
        (finished, errors)
    }

    /// Calls started and not yet finished nor cancelled.
    pub(super) fn in_flight(&self) -> u64 {
        // Finished and cancelled calls are read before started ones: a call starts
        // before it ends, so in flight is never negative.
        let ended = (0..2 * self.bounds.buckets())
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
            Figure::CancelledDuration => (BUCKETS + self.bounds.buckets(), CANCELLED_SUM),
            _ => (BUCKETS, SUM),
        };
        buckets.clear();
        buckets.extend((0..self.bounds.buckets()).map(|bucket| self.total(offset + bucket)));
        seconds(self.total(sum))
    }

    fn snapshot(&self) -> Snapshot {
        // Finished calls are read before started ones: a call starts before it
        // finishes, so in flight is never negative.
        let finished = self.buckets(BUCKETS);
        let cancelled_buckets = self.buckets(BUCKETS + self.bounds.buckets());
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
                buckets: stats.bounds().to_vec(),
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
            .bounds()
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
