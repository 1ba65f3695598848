//! One business metric family: its series keyed by label values, and the cap on
//! how many label sets it may hold.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use hashbrown::{DefaultHashBuilder, HashTable};
use prometheus::core::{Collector, Desc};
use prometheus::{HistogramOpts, IntCounter, IntCounterVec, Opts, proto};

use super::DEFAULT_MAX_LABEL_SETS_NOW;

/// The label value that replaces every value taken from code once a metric holds its
/// maximum number of label sets.
pub const OVERFLOW_LABEL_VALUE: &str = "__overflow__";

/// Shards of the series table: updates of different label sets rarely share a lock.
const SHARDS: usize = 16;

/// The kind of a business metric.
#[doc(hidden)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MetricKind {
    /// Only increases.
    Counter,
    /// Set, increased or decreased.
    Gauge,
    /// Observations counted into buckets.
    Histogram,
}

impl MetricKind {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            MetricKind::Counter => "a counter",
            MetricKind::Gauge => "a gauge",
            MetricKind::Histogram => "a histogram",
        }
    }
}

/// Everything two declarations of one metric must agree on.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct Definition {
    pub(crate) name: &'static str,
    pub(crate) help: &'static str,
    pub(crate) kind: MetricKind,
    /// Every label name, constant or not, sorted.
    pub(crate) label_names: Vec<&'static str>,
    /// Upper bounds of a histogram (empty for other kinds).
    pub(crate) buckets: Vec<f64>,
}

impl Definition {
    /// Why `other` cannot share this family.
    pub(crate) fn difference(&self, other: &Definition) -> Option<String> {
        if self.kind != other.kind {
            return Some(format!(
                "one is {}, the other {}",
                self.kind.describe(),
                other.kind.describe()
            ));
        }
        if self.label_names != other.label_names {
            return Some(format!(
                "their label names differ: ({}) and ({})",
                self.label_names.join(", "),
                other.label_names.join(", ")
            ));
        }
        if self.help != other.help {
            return Some(format!(
                "their help texts differ: {:?} and {:?}",
                self.help, other.help
            ));
        }
        if self.buckets != other.buckets {
            return Some(format!(
                "their buckets differ: {:?} and {:?}",
                self.buckets, other.buckets
            ));
        }
        None
    }
}

/// Where one label's value comes from, in the family's label order.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    /// A constant label of the declaration.
    Const(&'static str),
    /// The value at this index of the values given at the update.
    Value(usize),
    /// The overflow value.
    Overflow,
}

/// A label set as an update sees it: slots plus the values given, nothing copied.
#[derive(Clone, Copy)]
pub(crate) struct LabelSet<'a> {
    pub(crate) slots: &'a [Slot],
    pub(crate) values: &'a [&'a str],
}

impl<'a> LabelSet<'a> {
    #[inline]
    fn get(&self, slot: Slot) -> &'a str {
        match slot {
            Slot::Const(value) => value,
            // The generated code always passes one value per label; a missing one
            // would be a bug there, and must not crash the caller.
            Slot::Value(index) => self.values.get(index).copied().unwrap_or(""),
            Slot::Overflow => OVERFLOW_LABEL_VALUE,
        }
    }

    #[inline]
    fn iter(self) -> impl Iterator<Item = &'a str> {
        self.slots.iter().map(move |slot| self.get(*slot))
    }

    /// The same set with every value taken from code replaced by the overflow value.
    pub(crate) fn overflow_slots(slots: &[Slot]) -> Box<[Slot]> {
        slots
            .iter()
            .map(|slot| match slot {
                Slot::Value(_) => Slot::Overflow,
                other => *other,
            })
            .collect()
    }
}

/// One series of a business metric: the handle an update writes to.
#[doc(hidden)]
pub struct Series {
    family: Option<&'static Family>,
    metric: SeriesMetric,
}

enum SeriesMetric {
    Counter(prometheus::Counter),
    Gauge(prometheus::Gauge),
    Histogram(prometheus::Histogram),
    /// Stands in when a series could not be created (reported once, never panics).
    Void,
}

/// The series updates go to when a real one cannot be created.
pub(crate) static VOID_SERIES: Series = Series {
    family: None,
    metric: SeriesMetric::Void,
};

impl Series {
    /// Adds `amount` to a counter.
    #[inline]
    pub fn count(&self, amount: f64) {
        match &self.metric {
            SeriesMetric::Counter(counter) if amount >= 0.0 && amount.is_finite() => {
                counter.inc_by(amount);
            }
            SeriesMetric::Counter(_) => self.invalid(
                amount,
                "a counter only increases, by a finite, non-negative amount",
            ),
            _ => {}
        }
    }

    /// Sets a gauge.
    #[inline]
    pub fn set(&self, value: f64) {
        match &self.metric {
            SeriesMetric::Gauge(gauge) if value.is_finite() => gauge.set(value),
            SeriesMetric::Gauge(_) => self.invalid(value, "a gauge is set to a finite value"),
            _ => {}
        }
    }

    /// Adds `delta` (possibly negative) to a gauge.
    #[inline]
    pub fn add(&self, delta: f64) {
        match &self.metric {
            SeriesMetric::Gauge(gauge) if delta.is_finite() => gauge.add(delta),
            SeriesMetric::Gauge(_) => {
                self.invalid(delta, "a gauge changes by a finite amount");
            }
            _ => {}
        }
    }

    /// Subtracts `delta` from a gauge.
    #[inline]
    pub fn sub(&self, delta: f64) {
        self.add(-delta);
    }

    /// Records one observation in a histogram.
    #[inline]
    pub fn observe(&self, value: f64) {
        match &self.metric {
            SeriesMetric::Histogram(histogram) if value.is_finite() => histogram.observe(value),
            SeriesMetric::Histogram(_) => {
                self.invalid(value, "a histogram observes finite values");
            }
            _ => {}
        }
    }

    /// The current value of a counter or gauge, or the sum of a histogram's
    /// observations.
    pub(crate) fn value(&self) -> f64 {
        match &self.metric {
            SeriesMetric::Counter(counter) => counter.get(),
            SeriesMetric::Gauge(gauge) => gauge.get(),
            SeriesMetric::Histogram(histogram) => histogram.get_sample_sum(),
            SeriesMetric::Void => 0.0,
        }
    }

    /// The number of observations of a histogram (0 for other kinds).
    pub(crate) fn count_of_observations(&self) -> u64 {
        match &self.metric {
            SeriesMetric::Histogram(histogram) => histogram.get_sample_count(),
            _ => 0,
        }
    }

    #[cold]
    #[inline(never)]
    fn invalid(&self, value: f64, rule: &str) {
        if let Some(family) = self.family {
            family.invalid_value(value, rule);
        }
    }

    fn collect(&self) -> Vec<proto::MetricFamily> {
        match &self.metric {
            SeriesMetric::Counter(counter) => counter.collect(),
            SeriesMetric::Gauge(gauge) => gauge.collect(),
            SeriesMetric::Histogram(histogram) => histogram.collect(),
            SeriesMetric::Void => Vec::new(),
        }
    }
}

struct Entry {
    hash: u64,
    values: Box<[Box<str>]>,
    series: Series,
}

/// Counters about business metrics themselves, labelled by the metric they concern.
struct SelfMetrics {
    overflow: IntCounterVec,
    invalid: IntCounterVec,
}

static SELF_METRICS: LazyLock<SelfMetrics> = LazyLock::new(|| {
    let overflow = IntCounterVec::new(
        Opts::new(
            "monitor_label_overflow_total",
            "Updates of a labelled business metric folded into its __overflow__ series because \
             it already held its maximum number of label sets.",
        ),
        &["metric"],
    )
    .expect("valid static metric options");
    let invalid = IntCounterVec::new(
        Opts::new(
            "monitor_business_invalid_values_total",
            "Updates of a business metric dropped because the value was invalid \
             (negative counter increment, NaN or infinite).",
        ),
        &["metric"],
    )
    .expect("valid static metric options");
    let registry = crate::registry::raw_registry();
    for collector in [overflow.clone(), invalid.clone()] {
        if let Err(error) = registry.register(Box::new(collector)) {
            tracing::error!(%error, "monitor: could not register a business self-metric");
        }
    }
    SelfMetrics { overflow, invalid }
});

/// One metric: its definition and every series created so far.
pub(crate) struct Family {
    pub(crate) definition: Definition,
    /// `file:line` of the declaration that created it.
    pub(crate) location: String,
    max_label_sets: usize,
    hasher: DefaultHashBuilder,
    shards: [RwLock<HashTable<&'static Entry>>; SHARDS],
    /// Label sets created from values given at updates (overflow and constant-only
    /// sets are not counted: they are bounded by the code).
    len: AtomicUsize,
    overflowed: Option<IntCounter>,
    invalid: Option<IntCounter>,
    warned_overflow: AtomicBool,
    warned_invalid: AtomicBool,
    desc: Desc,
}

impl Family {
    /// Creates a family. An `exposed` family gets its self-metrics at zero; the
    /// caller registers it. A family that is not exposed stands in for a declaration
    /// that clashed, so that its updates still go somewhere.
    pub(crate) fn create(
        definition: Definition,
        location: String,
        max_label_sets: usize,
        exposed: bool,
    ) -> prometheus::Result<&'static Family> {
        let desc = Desc::new(
            definition.name.to_owned(),
            definition.help.to_owned(),
            definition
                .label_names
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
            Default::default(),
        )?;
        let (overflowed, invalid) = if exposed {
            let metrics = &*SELF_METRICS;
            let overflowed = (!definition.label_names.is_empty())
                .then(|| metrics.overflow.with_label_values(&[definition.name]));
            (
                overflowed,
                Some(metrics.invalid.with_label_values(&[definition.name])),
            )
        } else {
            (None, None)
        };
        Ok(Box::leak(Box::new(Family {
            definition,
            location,
            max_label_sets,
            hasher: DefaultHashBuilder::default(),
            shards: std::array::from_fn(|_| RwLock::new(HashTable::new())),
            len: AtomicUsize::new(0),
            overflowed,
            invalid,
            warned_overflow: AtomicBool::new(false),
            warned_invalid: AtomicBool::new(false),
            desc,
        })))
    }

    /// The most label sets this family takes values for.
    pub(crate) fn limit(&self) -> usize {
        if self.max_label_sets > 0 {
            self.max_label_sets
        } else {
            DEFAULT_MAX_LABEL_SETS_NOW.load(Ordering::Relaxed)
        }
    }

    #[inline]
    fn hash(&self, set: LabelSet<'_>) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        for value in set.iter() {
            hasher.write(value.as_bytes());
            // 0xff never occurs in UTF-8, so ("ab", "c") and ("a", "bc") differ.
            hasher.write_u8(0xff);
        }
        hasher.finish()
    }

    #[inline]
    fn shard(&self, hash: u64) -> &RwLock<HashTable<&'static Entry>> {
        // The table itself uses the low and the top bits; pick the shard elsewhere.
        &self.shards[((hash >> 32) as usize) % SHARDS]
    }

    /// The series of a label set, created if it is new and the family has room,
    /// otherwise the overflow series of the declaration (`overflow`).
    #[inline]
    pub(crate) fn series(
        &'static self,
        set: LabelSet<'_>,
        overflow_slots: &[Slot],
        overflow: &OnceLock<&'static Series>,
    ) -> &'static Series {
        let hash = self.hash(set);
        let shard = self.shard(hash);
        if let Some(entry) = read(shard).find(hash, |entry| matches(entry, set)) {
            return &entry.series;
        }
        self.insert(set, hash, true)
            .unwrap_or_else(|| self.fold(overflow_slots, overflow))
    }

    /// The series of a label set that does not count against the limit: constant
    /// labels only, or the overflow set.
    pub(crate) fn fixed_series(&'static self, slots: &[Slot]) -> &'static Series {
        let set = LabelSet { slots, values: &[] };
        let hash = self.hash(set);
        if let Some(entry) = read(self.shard(hash)).find(hash, |entry| matches(entry, set)) {
            return &entry.series;
        }
        self.insert(set, hash, false).unwrap_or(&VOID_SERIES)
    }

    #[cold]
    fn fold(
        &'static self,
        slots: &[Slot],
        overflow: &OnceLock<&'static Series>,
    ) -> &'static Series {
        if let Some(counter) = &self.overflowed {
            counter.inc();
        }
        if !self.warned_overflow.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                metric = self.definition.name,
                limit = self.limit(),
                "monitor: business metric `{}` reached its maximum of {} label sets; further \
                 new label values are recorded under \"{}\" and counted in \
                 monitor_label_overflow_total",
                self.definition.name,
                self.limit(),
                OVERFLOW_LABEL_VALUE,
            );
        }
        overflow.get_or_init(|| self.fixed_series(slots))
    }

    /// Inserts a new label set; `None` when `bounded` and the family is full.
    #[cold]
    fn insert(
        &'static self,
        set: LabelSet<'_>,
        hash: u64,
        bounded: bool,
    ) -> Option<&'static Series> {
        if bounded {
            let limit = self.limit();
            let reserved = self
                .len
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |len| {
                    (len < limit).then_some(len + 1)
                });
            if reserved.is_err() {
                return None;
            }
        }
        let mut table = write(self.shard(hash));
        if let Some(entry) = table.find(hash, |entry| matches(entry, set)) {
            // Another thread created it meanwhile.
            if bounded {
                self.len.fetch_sub(1, Ordering::AcqRel);
            }
            return Some(&entry.series);
        }
        let values: Box<[Box<str>]> = set.iter().map(Box::from).collect();
        let series = match self.new_series(&values) {
            Ok(series) => series,
            Err(error) => {
                drop(table);
                if bounded {
                    self.len.fetch_sub(1, Ordering::AcqRel);
                }
                tracing::error!(
                    metric = self.definition.name,
                    %error,
                    "monitor: could not create a series of a business metric; its updates are dropped"
                );
                return Some(&VOID_SERIES);
            }
        };
        // Series live as long as the program: their number is bounded by the limit
        // and by the code, and handles to them never need reference counting.
        let entry: &'static Entry = Box::leak(Box::new(Entry {
            hash,
            values,
            series,
        }));
        table.insert_unique(hash, entry, |entry| entry.hash);
        Some(&entry.series)
    }

    fn new_series(&'static self, values: &[Box<str>]) -> prometheus::Result<Series> {
        let definition = &self.definition;
        let opts = Opts::new(definition.name, definition.help).const_labels(
            definition
                .label_names
                .iter()
                .zip(values)
                .map(|(name, value)| ((*name).to_owned(), value.to_string()))
                .collect(),
        );
        let metric = match definition.kind {
            MetricKind::Counter => SeriesMetric::Counter(prometheus::Counter::with_opts(opts)?),
            MetricKind::Gauge => SeriesMetric::Gauge(prometheus::Gauge::with_opts(opts)?),
            MetricKind::Histogram => {
                SeriesMetric::Histogram(prometheus::Histogram::with_opts(HistogramOpts {
                    common_opts: opts,
                    buckets: definition.buckets.clone(),
                })?)
            }
        };
        Ok(Series {
            family: Some(self),
            metric,
        })
    }

    #[cold]
    fn invalid_value(&self, value: f64, rule: &str) {
        if let Some(counter) = &self.invalid {
            counter.inc();
        }
        if !self.warned_invalid.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                metric = self.definition.name,
                value,
                "monitor: business metric `{}` received {value}, which was dropped: {rule}; \
                 later such values are counted in monitor_business_invalid_values_total",
                self.definition.name,
            );
        }
    }

    /// The series of every label set, with their label values in the family's order.
    pub(crate) fn for_each_series(&self, mut visit: impl FnMut(&[Box<str>], &Series)) {
        for shard in &self.shards {
            for entry in read(shard).iter() {
                visit(&entry.values, &entry.series);
            }
        }
    }
}

#[inline]
fn matches(entry: &Entry, set: LabelSet<'_>) -> bool {
    entry.values.len() == set.slots.len()
        && entry
            .values
            .iter()
            .zip(set.iter())
            .all(|(stored, given)| **stored == *given)
}

// Locks are only held around table look-ups and inserts, which do not panic; a
// poisoned lock still holds a consistent table.
#[inline]
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Exposes a family through the Prometheus registry.
pub(crate) struct FamilyCollector(pub(crate) &'static Family);

impl Collector for FamilyCollector {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.0.desc]
    }

    fn collect(&self) -> Vec<proto::MetricFamily> {
        let mut merged: Option<proto::MetricFamily> = None;
        self.0.for_each_series(|_, series| {
            for mut family in series.collect() {
                match &mut merged {
                    Some(merged) => merged.mut_metric().extend(family.take_metric()),
                    None => merged = Some(family),
                }
            }
        });
        merged.into_iter().collect()
    }
}
