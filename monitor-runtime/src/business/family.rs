//! One business metric family: its series keyed by label values, and the cap on
//! how many label sets it may hold.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use super::cells::{CounterCells, GaugeCell, HistogramCells};
use super::defaults::DEFAULT_MAX_LABEL_SETS_NOW;
use super::table::{Hashed, Table};
use crate::core::model::{Histogram as ModelHistogram, Kind, Labels, Text, Value};
use crate::core::{Bounds, SourceLocation};

/// The label value that replaces every value given at updates once a metric holds its
/// maximum number of label sets (1000 unless [`set_default_max_label_sets`](super::set_default_max_label_sets) says otherwise).
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

    /// The kind of its family in the model.
    pub(super) fn model(self) -> Kind {
        match self {
            MetricKind::Counter => Kind::Counter,
            MetricKind::Gauge => Kind::Gauge,
            MetricKind::Histogram => Kind::Histogram,
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
    pub(super) buckets: &'static [f64],
    /// The schema of a histogram's native buckets, if it has them.
    pub(super) native: Option<i8>,
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
        if self.native != other.native {
            let describe = |native: Option<i8>| {
                native.map_or("no native buckets".to_owned(), |schema| {
                    format!("native buckets of schema {schema}")
                })
            };
            return Some(format!(
                "one has {}, the other {}",
                describe(self.native),
                describe(other.native)
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

    /// The value of `source` kept in a series' labels: borrowed when it is constant.
    fn text(&self, source: LabelSource) -> Text {
        match source {
            LabelSource::Const(value) => Cow::Borrowed(value),
            LabelSource::Given(_) => Cow::Owned(self.get(source).to_owned()),
            LabelSource::Overflow => Cow::Borrowed(OVERFLOW_LABEL_VALUE),
        }
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
    cells: Cells,
}

/// The storage of a series (see `cells`).
enum Cells {
    Counter(CounterCells),
    Gauge(GaugeCell),
    Histogram(HistogramCells),
    /// Stands in where an update has no series to go to (never panics).
    Void,
}

/// The series updates go to when there is no real one.
pub(super) static VOID_SERIES: Series = Series {
    family: None,
    cells: Cells::Void,
};

impl Series {
    /// Adds `amount` to a counter.
    #[inline]
    pub fn count(&self, amount: f64) {
        match &self.cells {
            Cells::Counter(counter) if amount >= 0.0 && amount.is_finite() => {
                counter.add(amount);
            }
            Cells::Counter(_) => self.invalid(
                amount,
                "a counter only increases, by a finite, non-negative amount",
            ),
            _ => {}
        }
    }

    /// Sets a gauge.
    #[inline]
    pub fn set(&self, value: f64) {
        match &self.cells {
            Cells::Gauge(gauge) if value.is_finite() => gauge.set(value),
            Cells::Gauge(_) => self.invalid(value, "a gauge is set to a finite value"),
            _ => {}
        }
    }

    /// Adds `delta` (possibly negative) to a gauge.
    #[inline]
    pub fn add(&self, delta: f64) {
        match &self.cells {
            Cells::Gauge(gauge) if delta.is_finite() => gauge.add(delta),
            Cells::Gauge(_) => {
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
        match &self.cells {
            Cells::Histogram(histogram) if value.is_finite() => histogram.observe(value),
            Cells::Histogram(_) => {
                self.invalid(value, "a histogram observes finite values");
            }
            _ => {}
        }
    }

    /// The current value of a counter or gauge, or the sum of a histogram's
    /// observations.
    pub(super) fn value(&self) -> f64 {
        match &self.cells {
            Cells::Counter(counter) => counter.get(),
            Cells::Gauge(gauge) => gauge.get(),
            Cells::Histogram(histogram) => histogram.sum(),
            Cells::Void => 0.0,
        }
    }

    /// The number of observations of a histogram (0 for other kinds).
    pub(super) fn count_of_observations(&self) -> u64 {
        match &self.cells {
            Cells::Histogram(histogram) => histogram.count(),
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

    /// The value in the model; `bounds` are those of its family (for a histogram),
    /// `counts` a buffer for its buckets. `None` for the stand-in.
    fn model_value(&self, bounds: &'static [f64], counts: &mut Vec<u64>) -> Option<Value> {
        Some(match &self.cells {
            Cells::Counter(counter) => Value::counter(counter.get()),
            Cells::Gauge(gauge) => Value::Gauge(gauge.get()),
            Cells::Histogram(histogram) => {
                let sum = histogram.counts(counts);
                let mut model = ModelHistogram::classic(bounds, counts, sum);
                if let Some((count, native)) = histogram.native() {
                    // The count is the native buckets', so that the two agree; the
                    // classic buckets, read a moment apart, never exceed it.
                    model.count = count;
                    for cumulative in &mut model.cumulative {
                        *cumulative = (*cumulative).min(count);
                    }
                    model.native = Some(Box::new(native));
                }
                Value::Histogram(model)
            }
            Cells::Void => return None,
        })
    }
}

/// A series in a family's table, with the labels it was created for (built once,
/// cloned into every snapshot), their values in the family's label order.
struct StoredSeries {
    hash: u64,
    labels: Labels,
    series: Series,
}

impl Hashed for StoredSeries {
    #[inline]
    fn hash(&self) -> u64 {
        self.hash
    }
}

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
    /// The histogram bounds (none for other kinds).
    bounds: Bounds,
    /// `metric="<name>"`: the labels of its series in the business metrics' own
    /// families.
    pub(super) metric_label: Labels,
    /// Updates folded into the overflow series.
    pub(super) overflowed: AtomicU64,
    /// Updates dropped for an invalid value.
    pub(super) invalid: AtomicU64,
    /// Updates whose label value was cut.
    pub(super) cut: AtomicU64,
    warned_overflow: AtomicBool,
    warned_invalid: AtomicBool,
    warned_cut: AtomicBool,
}

impl Family {
    /// Creates a family, for the life of the program; the caller exposes it (or
    /// not: a family that stands in for a declaration that clashed, so that its
    /// updates still go somewhere).
    pub(super) fn create(
        definition: Definition,
        location: SourceLocation,
        max_label_sets: usize,
    ) -> &'static Family {
        let seed = std::collections::hash_map::RandomState::new().hash_one(definition.name);
        Box::leak(Box::new(Family {
            bounds: Bounds::new(definition.buckets, 1.0),
            metric_label: Labels::new([("metric", definition.name)]),
            definition,
            location,
            max_label_sets: AtomicUsize::new(max_label_sets),
            seed,
            table: Table::new(),
            len: AtomicUsize::new(0),
            overflowed: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
            cut: AtomicU64::new(0),
            warned_overflow: AtomicBool::new(false),
            warned_invalid: AtomicBool::new(false),
            warned_cut: AtomicBool::new(false),
        }))
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
        self.cut.fetch_add(1, Ordering::Relaxed);
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
            Some(series) => series,
            None => self.fold(overflow_sources, overflow),
        }
    }

    /// The series of a label set that does not count against the limit: constant
    /// labels only, or the overflow set.
    pub(super) fn fixed_series(&'static self, sources: &[LabelSource]) -> &'static Series {
        let set = LabelSet {
            sources,
            values: &[],
        };
        let hash = self.hash(set);
        if let Some(stored) = self.table.find(hash, |stored| matches(stored, set)) {
            return &stored.series;
        }
        // Unbounded: an insert always finds or creates the series.
        self.insert(set, hash, false).unwrap_or(&VOID_SERIES)
    }

    #[cold]
    fn fold(
        &'static self,
        sources: &[LabelSource],
        overflow: &OnceLock<&'static Series>,
    ) -> &'static Series {
        self.overflowed.fetch_add(1, Ordering::Relaxed);
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
        // Created outside the `OnceLock`'s initialiser, which then only stores it.
        let series = self.fixed_series(sources);
        overflow.get_or_init(|| series)
    }

    /// Inserts a new label set; `None` when `bounded` and the family is full.
    #[cold]
    fn insert(
        &'static self,
        set: LabelSet<'_>,
        hash: u64,
        bounded: bool,
    ) -> Option<&'static Series> {
        // Holding the writers' lock while checking for room means that a thread
        // racing to create the same set waits and finds it, rather than folding its
        // update into the overflow series. The lock is only held around look-ups,
        // the creation of a series and an insert, which do not panic.
        let mut table = self.table.lock();
        if let Some(stored) = table.find(hash, |stored| matches(stored, set)) {
            return Some(&stored.series);
        }
        if bounded && self.len.load(Ordering::Acquire) >= self.limit() {
            return None;
        }
        // The family's label names are sorted, so the labels keep their order.
        let labels = Labels::new(
            self.definition
                .label_names
                .iter()
                .zip(set.sources)
                .map(|(name, source)| (Cow::Borrowed(*name), set.text(*source))),
        );
        // Series live as long as the program: their number is bounded by the limit
        // and by the code, and handles to them never need reference counting.
        let stored: &'static StoredSeries = Box::leak(Box::new(StoredSeries {
            hash,
            labels,
            series: self.new_series(),
        }));
        table.insert(stored);
        if bounded {
            // Only writers change it, under the lock: published, then counted.
            self.len.fetch_add(1, Ordering::Release);
        }
        Some(&stored.series)
    }

    fn new_series(&'static self) -> Series {
        let cells = match self.definition.kind {
            MetricKind::Counter => Cells::Counter(CounterCells::new()),
            MetricKind::Gauge => Cells::Gauge(GaugeCell::new()),
            MetricKind::Histogram => {
                Cells::Histogram(HistogramCells::new(&self.bounds, self.definition.native))
            }
        };
        Series {
            family: Some(self),
            cells,
        }
    }

    #[cold]
    fn invalid_value(&self, value: f64, rule: &str) {
        self.invalid.fetch_add(1, Ordering::Relaxed);
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

    /// The family as it is now in the model, its series sorted by labels; `counts`
    /// is a buffer for the buckets of histograms.
    pub(super) fn model(&self, counts: &mut Vec<u64>) -> crate::core::model::Family {
        let definition = &self.definition;
        let mut family = crate::core::model::Family::new(
            definition.name,
            definition.help,
            definition.kind.model(),
        );
        family.series.extend(self.table.iter().filter_map(|stored| {
            let value = stored.series.model_value(definition.buckets, counts)?;
            Some(crate::core::model::Series {
                labels: stored.labels.clone(),
                value,
            })
        }));
        family.series.sort_by(|a, b| a.labels.cmp(&b.labels));
        family
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
    let pairs = stored.labels.pairs();
    pairs.len() == set.sources.len()
        && pairs
            .iter()
            .zip(set.iter())
            .all(|((_, stored), given)| stored.as_ref() == given)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram_family() -> &'static Family {
        Family::create(
            Definition {
                name: "unit_basket_euros",
                help: "Baskets.",
                kind: MetricKind::Histogram,
                label_names: vec!["plan", "shop"],
                buckets: &[10.0, 100.0],
                native: None,
            },
            SourceLocation::new("unit.rs", 1),
            0,
        )
    }

    #[test]
    fn the_model_has_each_series_once_with_its_labels_sorted() {
        let family = histogram_family();
        // `plan` given at updates, `shop` constant.
        let sources = [LabelSource::Given(0), LabelSource::Const("eu")];
        let overflow = OnceLock::new();
        let overflow_sources = LabelSet::overflow_sources(&sources);
        for (plan, value) in [("pro", 5.0), ("free", 50.0), ("pro", 500.0)] {
            let set = LabelSet {
                sources: &sources,
                values: &[plan],
            };
            family
                .series(set, &overflow_sources, &overflow)
                .observe(value);
        }
        let model = family.model(&mut Vec::new());
        assert_eq!(model.kind, Kind::Histogram);
        assert_eq!(model.unit.as_deref(), None);
        let plans: Vec<Option<&str>> = model
            .series
            .iter()
            .map(|series| series.labels.get("plan"))
            .collect();
        assert_eq!(plans, [Some("free"), Some("pro")]);
        assert_eq!(model.series[1].labels.get("shop"), Some("eu"));
        let Value::Histogram(pro) = &model.series[1].value else {
            panic!("a histogram: {:?}", model.series[1].value);
        };
        assert_eq!(pro.bounds.as_ref(), [10.0, 100.0]);
        assert_eq!(pro.cumulative, [1, 1]);
        assert_eq!(pro.count, 2);
        assert_eq!(pro.sum, 505.0);
        // A label set seen again finds its series: no new one.
        assert_eq!(family.len.load(Ordering::Relaxed), 2);
    }
}
