//! One business metric family: its series keyed by label values, and the cap on
//! how many label sets it may hold.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};

use prometheus::core::{Collector, Desc, Describer};
use prometheus::{HistogramOpts, IntCounter, IntCounterVec, Opts, proto};

use super::DEFAULT_MAX_LABEL_SETS_NOW;
use super::counter::ShardedCounter;
use super::table::{Hashed, Table};
use crate::core::{SourceLocation, raw_registry, report};

/// The label value that replaces every value given at updates once a metric holds its
/// maximum number of label sets (see [`DEFAULT_MAX_LABEL_SETS`](super::DEFAULT_MAX_LABEL_SETS)).
/// Constant labels keep their value.
///
/// ```
/// assert_eq!(monitor_runtime::business::OVERFLOW_LABEL_VALUE, "__overflow__");
/// ```
pub const OVERFLOW_LABEL_VALUE: &str = "__overflow__";

/// The longest label value a business metric keeps, in bytes: a value given at an
/// update that is longer is cut to its first bytes up to this length (at a character
/// boundary), and the update is counted in `monitor_label_values_cut_total`.
///
/// ```
/// monitor_runtime::business_metrics! {
///     pub counter PAGES = "pages_viewed_total", help = "Pages viewed.", labels(path);
/// }
///
/// let long = "a".repeat(1000);
/// PAGES.inc([&long]);
/// let cut = "a".repeat(monitor_runtime::business::MAX_LABEL_VALUE_LEN);
/// assert_eq!(PAGES.with([&cut]).get(), 1.0);
/// ```
pub const MAX_LABEL_VALUE_LEN: usize = 256;

/// `value` cut to [`MAX_LABEL_VALUE_LEN`] bytes at a character boundary; borrowed, so
/// that cutting allocates nothing.
#[inline]
pub(super) fn cut(value: &str) -> &str {
    if value.len() <= MAX_LABEL_VALUE_LEN {
        return value;
    }
    let mut end = MAX_LABEL_VALUE_LEN;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    &value[..end]
}

/// Whether any of `values` is longer than [`MAX_LABEL_VALUE_LEN`].
#[inline]
pub(super) fn any_too_long(values: &[&str]) -> bool {
    values.iter().any(|value| value.len() > MAX_LABEL_VALUE_LEN)
}

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
    pub(super) fn describe(self) -> &'static str {
        match self {
            MetricKind::Counter => "a counter",
            MetricKind::Gauge => "a gauge",
            MetricKind::Histogram => "a histogram",
        }
    }
}

/// Everything two declarations of one metric must agree on.
#[derive(Clone, PartialEq, Debug)]
pub(super) struct Definition {
    pub(super) name: &'static str,
    pub(super) help: &'static str,
    pub(super) kind: MetricKind,
    /// Every label name, constant or not, sorted.
    pub(super) label_names: Vec<&'static str>,
    /// Upper bounds of a histogram (empty for other kinds).
    pub(super) buckets: Vec<f64>,
}

impl Definition {
    /// Why `other` cannot share this family.
    pub(super) fn difference(&self, other: &Definition) -> Option<String> {
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
pub(super) enum LabelSource {
    /// A constant label of the declaration.
    Const(&'static str),
    /// The value at this index of the values given at the update.
    Given(usize),
    /// The overflow value.
    Overflow,
}

/// A label set as an update sees it: where each value comes from, plus the values
/// given, nothing copied.
#[derive(Clone, Copy)]
pub(super) struct LabelSet<'a> {
    pub(super) sources: &'a [LabelSource],
    pub(super) values: &'a [&'a str],
}

impl<'a> LabelSet<'a> {
    #[inline]
    fn get(&self, source: LabelSource) -> &'a str {
        match source {
            LabelSource::Const(value) => value,
            // The generated code always passes one value per label; a missing one
            // would be a bug there, and must not crash the caller.
            LabelSource::Given(index) => cut(self.values.get(index).copied().unwrap_or("")),
            LabelSource::Overflow => OVERFLOW_LABEL_VALUE,
        }
    }

    #[inline]
    fn iter(self) -> impl Iterator<Item = &'a str> {
        self.sources.iter().map(move |source| self.get(*source))
    }

    /// The same set with every value taken from code replaced by the overflow value.
    pub(super) fn overflow_sources(sources: &[LabelSource]) -> Box<[LabelSource]> {
        sources
            .iter()
            .map(|source| match source {
                LabelSource::Given(_) => LabelSource::Overflow,
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
    /// The runtime's own storage (sharded by thread), with the series' labels.
    Counter(ShardedCounter, Box<CounterLabels>),
    Gauge(prometheus::Gauge),
    Histogram(prometheus::Histogram),
    /// Stands in when a series could not be created (reported once, never panics).
    Void,
}

/// What the exposition of a counter series needs besides its value.
struct CounterLabels {
    name: &'static str,
    help: &'static str,
    pairs: Vec<proto::LabelPair>,
}

/// The series updates go to when a real one cannot be created.
pub(super) static VOID_SERIES: Series = Series {
    family: None,
    metric: SeriesMetric::Void,
};

impl Series {
    /// Adds `amount` to a counter.
    #[inline]
    pub fn count(&self, amount: f64) {
        match &self.metric {
            SeriesMetric::Counter(counter, _) if amount >= 0.0 && amount.is_finite() => {
                counter.add(amount);
            }
            SeriesMetric::Counter(..) => self.invalid(
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
    pub(super) fn value(&self) -> f64 {
        match &self.metric {
            SeriesMetric::Counter(counter, _) => counter.get(),
            SeriesMetric::Gauge(gauge) => gauge.get(),
            SeriesMetric::Histogram(histogram) => histogram.get_sample_sum(),
            SeriesMetric::Void => 0.0,
        }
    }

    /// The number of observations of a histogram (0 for other kinds).
    pub(super) fn count_of_observations(&self) -> u64 {
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
            SeriesMetric::Counter(counter, labels) => {
                let mut value = proto::Counter::default();
                value.set_value(counter.get());
                let mut metric = proto::Metric::from_label(labels.pairs.clone());
                metric.set_counter(value);
                let mut family = proto::MetricFamily::default();
                family.set_name(labels.name.to_owned());
                family.set_help(labels.help.to_owned());
                family.set_field_type(proto::MetricType::COUNTER);
                family.set_metric(vec![metric]);
                vec![family]
            }
            SeriesMetric::Gauge(gauge) => gauge.collect(),
            SeriesMetric::Histogram(histogram) => histogram.collect(),
            SeriesMetric::Void => Vec::new(),
        }
    }
}

/// A series in a family's table, with the label values it was created for.
struct StoredSeries {
    hash: u64,
    values: Box<[Box<str>]>,
    series: Series,
}

impl Hashed for StoredSeries {
    #[inline]
    fn hash(&self) -> u64 {
        self.hash
    }
}

/// Counters about business metrics themselves, labelled by the metric they concern.
struct SelfMetrics {
    overflow: IntCounterVec,
    invalid: IntCounterVec,
    cut: IntCounterVec,
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
    let cut = IntCounterVec::new(
        Opts::new(
            "monitor_label_values_cut_total",
            "Updates of a business metric whose label value was longer than the limit \
             (256 bytes) and was cut to it.",
        ),
        &["metric"],
    )
    .expect("valid static metric options");
    // Inside a lazy initialiser, often under the lock of the families: a clash is
    // reported, and logged once every initialiser returned, never here.
    let registry = raw_registry();
    for collector in [overflow.clone(), invalid.clone(), cut.clone()] {
        if let Err(conflict) = registry.register_as(
            Box::new(collector),
            "the business metrics' own counters",
            "the start-up of monitor_runtime::business",
        ) {
            report(conflict.into_error("monitor_runtime::business"));
        }
    }
    SelfMetrics {
        overflow,
        invalid,
        cut,
    }
});

/// One metric: its definition and every series created so far.
pub(super) struct Family {
    pub(super) definition: Definition,
    /// The declaration that created it.
    pub(super) location: SourceLocation,
    /// The `max_label_sets` its declarations give (0: none does): the smallest, whatever
    /// the order they register in.
    max_label_sets: AtomicUsize,
    /// The seed of [`Family::hash`], random per family.
    seed: u64,
    /// Every series, found without a lock.
    table: Table<StoredSeries>,
    /// Label sets created from values given at updates (overflow and constant-only
    /// sets are not counted: they are bounded by the code). Changed only under the
    /// table's writer lock, after the series it counts was published.
    len: AtomicUsize,
    overflowed: Option<IntCounter>,
    invalid: Option<IntCounter>,
    cut: Option<IntCounter>,
    warned_overflow: AtomicBool,
    warned_invalid: AtomicBool,
    warned_cut: AtomicBool,
    warned_series: AtomicBool,
    desc: Desc,
}

impl Family {
    /// Creates a family. An `exposed` family gets its self-metrics at zero; the
    /// caller registers it. A family that is not exposed stands in for a declaration
    /// that clashed, so that its updates still go somewhere.
    pub(super) fn create(
        definition: Definition,
        location: SourceLocation,
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
        let (overflowed, invalid, cut) = if exposed {
            let metrics = &*SELF_METRICS;
            let labelled = !definition.label_names.is_empty();
            (
                labelled.then(|| metrics.overflow.with_label_values(&[definition.name])),
                Some(metrics.invalid.with_label_values(&[definition.name])),
                labelled.then(|| metrics.cut.with_label_values(&[definition.name])),
            )
        } else {
            (None, None, None)
        };
        let seed = std::collections::hash_map::RandomState::new().hash_one(definition.name);
        Ok(Box::leak(Box::new(Family {
            definition,
            location,
            max_label_sets: AtomicUsize::new(max_label_sets),
            seed,
            table: Table::new(),
            len: AtomicUsize::new(0),
            overflowed,
            invalid,
            cut,
            warned_overflow: AtomicBool::new(false),
            warned_invalid: AtomicBool::new(false),
            warned_cut: AtomicBool::new(false),
            warned_series: AtomicBool::new(false),
            desc,
        })))
    }

    /// The most label sets this family takes values for.
    pub(super) fn limit(&self) -> usize {
        match self.max_label_sets.load(Ordering::Relaxed) {
            0 => DEFAULT_MAX_LABEL_SETS_NOW.load(Ordering::Relaxed),
            limit => limit,
        }
    }

    /// The `max_label_sets` a declaration registered so far gave (0: none).
    pub(super) fn declared_limit(&self) -> usize {
        self.max_label_sets.load(Ordering::Relaxed)
    }

    /// Takes `limit` from another declaration: the family keeps the smallest given.
    pub(super) fn restrict_limit(&self, limit: usize) {
        if limit > 0 {
            self.max_label_sets
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                    (current == 0 || limit < current).then_some(limit)
                })
                .ok();
        }
    }

    /// Counts an update whose label value was cut to [`MAX_LABEL_VALUE_LEN`].
    #[cold]
    #[inline(never)]
    pub(super) fn value_cut(&self) {
        if let Some(counter) = &self.cut {
            counter.inc();
        }
        if !self.warned_cut.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                metric = self.definition.name,
                limit = MAX_LABEL_VALUE_LEN,
                "monitor: business metric `{}` received a label value longer than {} bytes, \
                 which was cut to that length; later ones are counted in \
                 monitor_label_values_cut_total",
                self.definition.name,
                MAX_LABEL_VALUE_LEN,
            );
        }
    }

    /// The series of a label set if it exists already; never creates one, takes no
    /// lock.
    #[inline]
    pub(super) fn find(&'static self, set: LabelSet<'_>) -> Option<&'static Series> {
        let hash = self.hash(set);
        self.table
            .find(hash, |stored| matches(stored, set))
            .map(|stored| &stored.series)
    }

    /// A seeded hash of the label values, made for short strings: a few multiplies
    /// per value. Each value's length goes in, so ("ab", "c") and ("a", "bc")
    /// differ; the seed, random per family, keeps crafted values from colliding
    /// at will (and a family holds at most `max_label_sets` sets anyway).
    #[inline]
    fn hash(&self, set: LabelSet<'_>) -> u64 {
        set.iter()
            .fold(self.seed, |hash, value| hash_bytes(hash, value.as_bytes()))
    }

    /// The series of a label set, created if it is new and the family has room,
    /// otherwise the overflow series of the declaration (`overflow`).
    #[inline]
    pub(super) fn series(
        &'static self,
        set: LabelSet<'_>,
        overflow_sources: &[LabelSource],
        overflow: &OnceLock<&'static Series>,
    ) -> &'static Series {
        let hash = self.hash(set);
        match self.table.find(hash, |stored| matches(stored, set)) {
            Some(stored) => &stored.series,
            None => self.new_set(set, hash, overflow_sources, overflow),
        }
    }

    /// A label set without a series when looked up: created, or folded when full.
    #[cold]
    #[inline(never)]
    fn new_set(
        &'static self,
        set: LabelSet<'_>,
        hash: u64,
        overflow_sources: &[LabelSource],
        overflow: &OnceLock<&'static Series>,
    ) -> &'static Series {
        if self.len.load(Ordering::Acquire) >= self.limit() {
            // Full: fold without taking the writers' lock. A series is published
            // before the count that includes it, so a set whose creation made the
            // family full is visible by now to this second look-up.
            if let Some(stored) = self.table.find(hash, |stored| matches(stored, set)) {
                return &stored.series;
            }
            return self.fold(overflow_sources, overflow);
        }
        match self.insert(set, hash, true) {
            Ok(Some(series)) => series,
            Ok(None) => self.fold(overflow_sources, overflow),
            Err(error) => {
                self.series_failed(&error);
                &VOID_SERIES
            }
        }
    }

    /// Logs, once per family, that a series could not be created; its updates are
    /// dropped. Called with no lock held and outside every lazy initialiser.
    #[cold]
    #[inline(never)]
    fn series_failed(&self, error: &prometheus::Error) {
        if !self.warned_series.swap(true, Ordering::Relaxed) {
            tracing::error!(
                metric = self.definition.name,
                %error,
                "monitor: could not create a series of a business metric; its updates are \
                 dropped (later failures are not logged)"
            );
        }
    }

    /// The series of a label set that does not count against the limit: constant
    /// labels only, or the overflow set. Logs nothing: the caller reports a failure.
    pub(super) fn fixed_series(
        &'static self,
        sources: &[LabelSource],
    ) -> prometheus::Result<&'static Series> {
        let set = LabelSet {
            sources,
            values: &[],
        };
        let hash = self.hash(set);
        if let Some(stored) = self.table.find(hash, |stored| matches(stored, set)) {
            return Ok(&stored.series);
        }
        // Unbounded: an insert always finds or creates the series.
        self.insert(set, hash, false)
            .map(|series| series.unwrap_or(&VOID_SERIES))
    }

    #[cold]
    fn fold(
        &'static self,
        sources: &[LabelSource],
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
        if let Some(series) = overflow.get() {
            return series;
        }
        // Created, and a failure logged, outside the `OnceLock`'s initialiser: a
        // tracing layer that updates this metric must not find it half-initialised.
        let series = self.fixed_series(sources).unwrap_or_else(|error| {
            self.series_failed(&error);
            &VOID_SERIES
        });
        overflow.get_or_init(|| series)
    }

    /// Inserts a new label set; `None` when `bounded` and the family is full, an
    /// error (not logged: the caller may be inside an initialiser) when prometheus
    /// refuses the series.
    #[cold]
    fn insert(
        &'static self,
        set: LabelSet<'_>,
        hash: u64,
        bounded: bool,
    ) -> prometheus::Result<Option<&'static Series>> {
        // Holding the writers' lock while checking for room means that a thread
        // racing to create the same set waits and finds it, rather than folding its
        // update into the overflow series. The lock is only held around look-ups,
        // the creation of a series and an insert, which do not panic.
        let mut table = self.table.lock();
        if let Some(stored) = table.find(hash, |stored| matches(stored, set)) {
            return Ok(Some(&stored.series));
        }
        if bounded && self.len.load(Ordering::Acquire) >= self.limit() {
            return Ok(None);
        }
        let values: Box<[Box<str>]> = set.iter().map(Box::from).collect();
        let series = self.new_series(&values)?;
        // Series live as long as the program: their number is bounded by the limit
        // and by the code, and handles to them never need reference counting.
        let stored: &'static StoredSeries = Box::leak(Box::new(StoredSeries {
            hash,
            values,
            series,
        }));
        table.insert(stored);
        if bounded {
            // Only writers change it, under the lock: published, then counted.
            self.len.fetch_add(1, Ordering::Release);
        }
        Ok(Some(&stored.series))
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
            MetricKind::Counter => {
                // Checks the names and values as a prometheus counter would.
                opts.describe()?;
                let pairs = definition
                    .label_names
                    .iter()
                    .zip(values)
                    .map(|(name, value)| {
                        let mut pair = proto::LabelPair::default();
                        pair.set_name((*name).to_owned());
                        pair.set_value(value.to_string());
                        pair
                    })
                    .collect();
                SeriesMetric::Counter(
                    ShardedCounter::new(),
                    Box::new(CounterLabels {
                        name: definition.name,
                        help: definition.help,
                        pairs,
                    }),
                )
            }
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
    pub(super) fn for_each_series(&self, mut visit: impl FnMut(&[Box<str>], &Series)) {
        for stored in self.table.iter() {
            visit(&stored.values, &stored.series);
        }
    }
}

const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// The high and low halves of a full product, folded: the mixing step of
/// foldhash and wyhash.
#[inline(always)]
fn fold_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

#[inline(always)]
fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

#[inline(always)]
fn read_u32(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(word))
}

/// Every byte of a value of at most 16 bytes, in two words: the first and last
/// eight (overlapping when shorter than 16), the first and last four, or the first,
/// middle and last byte. With the length beside them, equal words are equal values.
#[inline(always)]
pub(super) fn short_words(bytes: &[u8]) -> (u64, u64) {
    let len = bytes.len();
    debug_assert!(len <= 16, "a short value");
    if len >= 8 {
        (read_u64(bytes, 0), read_u64(bytes, len - 8))
    } else if len >= 4 {
        (read_u32(bytes, 0), read_u32(bytes, len - 4))
    } else if len > 0 {
        (
            u64::from(bytes[0]) | u64::from(bytes[len / 2]) << 8,
            u64::from(bytes[len - 1]),
        )
    } else {
        (0, 0)
    }
}

/// `hash` with `bytes` mixed in: whole words, the last one read overlapping the one
/// before (as foldhash does), so that short values take one or two multiplies.
#[inline(always)]
fn hash_bytes(hash: u64, bytes: &[u8]) -> u64 {
    let len = bytes.len();
    if len >= 8 {
        let mut hash = hash;
        let mut at = 0;
        while at + 16 < len {
            hash = fold_multiply(
                hash ^ read_u64(bytes, at),
                read_u64(bytes, at + 8) ^ MULTIPLIER,
            );
            at += 16;
        }
        let low = if at + 8 < len { read_u64(bytes, at) } else { 0 };
        return fold_multiply(
            hash ^ low ^ len as u64,
            read_u64(bytes, len - 8) ^ MULTIPLIER,
        );
    }
    let (low, high) = short_words(bytes);
    fold_multiply(hash ^ low ^ (len as u64) << 32, high ^ MULTIPLIER)
}

#[inline]
fn matches(stored: &StoredSeries, set: LabelSet<'_>) -> bool {
    stored.values.len() == set.sources.len()
        && stored
            .values
            .iter()
            .zip(set.iter())
            .all(|(stored, given)| **stored == *given)
}

/// Exposes a family through the Prometheus registry.
pub(super) struct FamilyCollector(pub(super) &'static Family);

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
