//! The one model of every figure the runtime exposes: typed snapshots of metric
//! families and their series, from which every exposition format is rendered and
//! which every reader (history, embedded alerts, remote-write, the Pushgateway)
//! reads directly.
//!
//! Every part of the runtime (monitored functions, business metrics, the HTTP
//! layers, health checks, pools, the tokio runtime, the host, caches, the push
//! clients, the exporter and the identity) produces its families in this model; the
//! collectors an application registers in [`registry`](crate::registry) are
//! converted into it once per scrape. [`snapshot`](crate::snapshot) takes one:
//!
//! ```
//! use monitor_runtime::model::{Kind, Value};
//!
//! #[monitor_runtime::monitored]
//! fn settle() -> Result<(), String> { Ok(()) }
//!
//! settle().unwrap();
//! let snapshot = monitor_runtime::snapshot();
//! let calls = snapshot.family("function_calls_total").unwrap();
//! assert_eq!(calls.kind, Kind::Counter);
//! let ok = calls
//!     .series
//!     .iter()
//!     .find(|series| series.labels.get("function") == Some("settle") && series.labels.get("result") == Some("ok"))
//!     .unwrap();
//! assert!(matches!(ok.value, Value::Counter(ref counter) if counter.value == 1.0));
//! ```
//!
//! Names and label names are those of the Prometheus text format: a counter's family
//! is named with its `_total`, an info family with its `_info`; the OpenMetrics
//! rendering takes those suffixes off where its format wants them off.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A name or a label value: borrowed for the `'static` strings of the runtime's own
/// figures (no allocation per snapshot), owned for the rest.
pub(crate) type Text = Cow<'static, str>;

/// One snapshot of every family, sorted by name, each name once.
///
/// ```
/// use monitor_runtime::model::{Family, Kind, Labels, Snapshot, Value};
///
/// let mut orders = Family::new("orders_total", "Orders.", Kind::Counter);
/// orders.push(Labels::new([("plan", "pro")]), Value::counter(3.0));
/// let snapshot = Snapshot { families: vec![orders] };
/// assert_eq!(snapshot.value("orders_total", &[("plan", "pro")]), Some(3.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The families, sorted by name.
    pub families: Vec<Family>,
}

impl Snapshot {
    /// The family of that name.
    ///
    /// ```
    /// let snapshot = monitor_runtime::snapshot();
    /// assert!(snapshot.family("monitor_exposition_errors_total").is_some());
    /// assert!(snapshot.family("no_such_family").is_none());
    /// ```
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families
            .binary_search_by(|family| family.name.as_ref().cmp(name))
            .ok()
            .map(|at| &self.families[at])
    }

    /// The value of the counter, gauge, untyped or info series of family `name` whose
    /// labels include every pair of `labels` (the first such series); for a
    /// histogram or a summary, its count.
    ///
    /// ```
    /// let snapshot = monitor_runtime::snapshot();
    /// assert_eq!(snapshot.value("monitor_exposition_errors_total", &[]), Some(0.0));
    /// ```
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.family(name)?
            .series
            .iter()
            .find(|series| series.labels.matches(labels))
            .map(|series| series.value.scalar())
    }
}

/// What a family measures, as the exposition formats type it.
///
/// ```
/// use monitor_runtime::model::Kind;
///
/// assert_eq!(Kind::Histogram.as_text(), "histogram");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Only goes up (a restart aside).
    Counter,
    /// Goes up and down.
    Gauge,
    /// Observations counted into buckets: classic (upper bounds), native
    /// (exponential), or both.
    Histogram,
    /// Observations summarised by quantiles (only from collectors of the
    /// application: the runtime itself makes none).
    Summary,
    /// A set of labels describing something, with the value 1 (`target_info`).
    Info,
    /// Of no declared type (only from collectors of the application).
    Untyped,
}

impl Kind {
    /// The kind as the Prometheus text format writes it (`info` is a `gauge` there).
    pub fn as_text(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge | Kind::Info => "gauge",
            Kind::Histogram => "histogram",
            Kind::Summary => "summary",
            Kind::Untyped => "untyped",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
            Kind::Summary => "summary",
            Kind::Info => "info",
            Kind::Untyped => "untyped",
        })
    }
}

/// One metric family: its name, help, unit, kind and series.
///
/// ```
/// use monitor_runtime::model::{Family, Kind, Labels, Value};
///
/// let mut queue = Family::new("queue_depth", "Jobs waiting.", Kind::Gauge);
/// queue.push(Labels::empty(), Value::Gauge(12.0));
/// assert_eq!(queue.series[0].value.scalar(), 12.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The name, as the Prometheus text format writes it (a counter with `_total`).
    pub name: Text,
    /// What it measures.
    pub help: Text,
    /// Its unit (`seconds`, `bytes`, `ratio`…), when the name ends with it.
    pub unit: Option<Text>,
    /// Its kind; every series' value is of this kind.
    pub kind: Kind,
    /// Its series, each label set once.
    pub series: Vec<Series>,
}

/// The base units a name may end with, which [`Family::new`] takes as the unit.
const UNITS: [&str; 9] = [
    "seconds", "bytes", "ratio", "celsius", "meters", "volts", "amperes", "joules", "grams",
];

impl Family {
    /// A family without series; its unit is the base unit its name ends with, if any
    /// (`_seconds`, `_bytes`, `_ratio`…, before a counter's `_total`).
    ///
    /// ```
    /// use monitor_runtime::model::{Family, Kind};
    ///
    /// let family = Family::new("job_duration_seconds", "Jobs.", Kind::Histogram);
    /// assert_eq!(family.unit.as_deref(), Some("seconds"));
    /// let family = Family::new("sent_bytes_total", "Sent.", Kind::Counter);
    /// assert_eq!(family.unit.as_deref(), Some("bytes"));
    /// assert_eq!(Family::new("jobs_total", "Jobs.", Kind::Counter).unit, None);
    /// ```
    pub fn new(name: impl Into<Text>, help: impl Into<Text>, kind: Kind) -> Self {
        let name = name.into();
        let unit = unit_of(&name, kind).map(Cow::Borrowed);
        Self {
            name,
            help: help.into(),
            unit,
            kind,
            series: Vec::new(),
        }
    }

    /// This family with `series` added.
    pub fn with_series(mut self, series: Vec<Series>) -> Self {
        self.series = series;
        self
    }

    /// Adds a series.
    pub fn push(&mut self, labels: Labels, value: Value) {
        self.series.push(Series { labels, value });
    }
}

/// The base unit `name` ends with, before a counter's `_total`.
pub(crate) fn unit_of(name: &str, kind: Kind) -> Option<&'static str> {
    let base = match kind {
        Kind::Counter => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    };
    UNITS.into_iter().find(|unit| {
        base.len() > unit.len() + 1
            && base.ends_with(unit)
            && base.as_bytes()[base.len() - unit.len() - 1] == b'_'
    })
}

/// One series: its labels and its value.
///
/// ```
/// let snapshot = monitor_runtime::snapshot();
/// for family in &snapshot.families {
///     for series in &family.series {
///         let _ = (series.labels.len(), series.value.kind());
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its labels, sorted by name.
    pub labels: Labels,
    /// Its value, of its family's kind.
    pub value: Value,
}

/// The value of one series.
///
/// ```
/// use monitor_runtime::model::{Kind, Value};
///
/// let value = Value::counter(2.0);
/// assert_eq!((value.kind(), value.scalar()), (Kind::Counter, 2.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A counter's value, with the exemplar of a call it counted, if any.
    Counter(Counter),
    /// A gauge's value.
    Gauge(f64),
    /// A histogram.
    Histogram(Histogram),
    /// A summary (only from collectors of the application).
    Summary(Summary),
    /// An info series: its labels are the information, its value 1.
    Info,
    /// An untyped value (only from collectors of the application).
    Untyped(f64),
}

impl Value {
    /// A counter of `value`, without exemplar.
    pub fn counter(value: f64) -> Self {
        Value::Counter(Counter {
            value,
            exemplar: None,
        })
    }

    /// The kind of this value.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Counter(_) => Kind::Counter,
            Value::Gauge(_) => Kind::Gauge,
            Value::Histogram(_) => Kind::Histogram,
            Value::Summary(_) => Kind::Summary,
            Value::Info => Kind::Info,
            Value::Untyped(_) => Kind::Untyped,
        }
    }

    /// One number for the value: a counter's, gauge's or untyped value, 1 for info,
    /// the count of a histogram or summary.
    pub fn scalar(&self) -> f64 {
        match self {
            Value::Counter(counter) => counter.value,
            Value::Gauge(value) | Value::Untyped(value) => *value,
            Value::Histogram(histogram) => histogram.count as f64,
            Value::Summary(summary) => summary.count as f64,
            Value::Info => 1.0,
        }
    }
}

/// A counter's value.
///
/// ```
/// use monitor_runtime::model::{Counter, Value};
///
/// let Value::Counter(counter) = Value::counter(5.0) else { unreachable!() };
/// assert_eq!(counter, Counter { value: 5.0, exemplar: None });
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Counter {
    /// The value.
    pub value: f64,
    /// A call or event it counted, with the trace it belonged to.
    pub exemplar: Option<Exemplar>,
}

/// A histogram: its count and sum, classic buckets, native buckets, or both.
///
/// ```
/// use monitor_runtime::model::Histogram;
///
/// // 3 observations up to 0.1 s, 1 above, 0.9 s in all.
/// let latency = Histogram::classic(vec![0.1], &[3, 1], 0.9);
/// assert_eq!(latency.cumulative_count(0), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// Observations.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The finite upper bounds of the classic buckets, increasing (`+Inf` is
    /// implied, its count is [`count`](Self::count)); empty for a histogram with
    /// native buckets only.
    pub bounds: Cow<'static, [f64]>,
    /// The cumulative count of each bound's bucket.
    pub cumulative: Vec<u64>,
    /// Exemplars of classic buckets: `(bucket, exemplar)`, by increasing bucket, the
    /// bucket an index into `bounds` or `bounds.len()` for `+Inf`.
    pub exemplars: Vec<(usize, Exemplar)>,
    /// The native (exponential) buckets, when the histogram has them.
    pub native: Option<Box<NativeBuckets>>,
}

impl Histogram {
    /// A classic histogram of `counts`, one per bucket (not cumulative), `+Inf` last:
    /// `counts.len()` is `bounds.len() + 1`.
    ///
    /// ```
    /// use monitor_runtime::model::Histogram;
    ///
    /// let histogram = Histogram::classic(&[0.1, 1.0][..], &[2, 1, 1], 3.5);
    /// assert_eq!(histogram.cumulative, [2, 3]);
    /// assert_eq!(histogram.count, 4);
    /// ```
    pub fn classic(bounds: impl Into<Cow<'static, [f64]>>, counts: &[u64], sum: f64) -> Self {
        let bounds = bounds.into();
        let finite = bounds.len().min(counts.len());
        let mut cumulative = Vec::with_capacity(finite);
        let mut running = 0_u64;
        for count in &counts[..finite] {
            running = running.wrapping_add(*count);
            cumulative.push(running);
        }
        let count = counts[finite..]
            .iter()
            .fold(running, |total, count| total.wrapping_add(*count));
        Self {
            count,
            sum,
            bounds,
            cumulative,
            exemplars: Vec::new(),
            native: None,
        }
    }

    /// The cumulative count of bucket `bucket` (`bounds.len()` for `+Inf`).
    pub fn cumulative_count(&self, bucket: usize) -> u64 {
        self.cumulative.get(bucket).copied().unwrap_or(self.count)
    }

    /// The exemplar of bucket `bucket`, if any.
    pub fn exemplar(&self, bucket: usize) -> Option<&Exemplar> {
        self.exemplars
            .iter()
            .find(|(at, _)| *at == bucket)
            .map(|(_, exemplar)| exemplar)
    }
}

/// Native histogram buckets: exponential, with `2^(2^-schema)` between two bounds,
/// as Prometheus' native histograms define them.
///
/// Bucket `i` holds the observations `v` with `base^(i-1) < |v| ≤ base^i`; those with
/// `|v| ≤ zero_threshold` are in the zero bucket.
///
/// ```
/// use monitor_runtime::model::NativeBuckets;
///
/// let buckets = NativeBuckets { schema: 3, zero_threshold: 1e-9, positive: vec![(0, 4)], ..Default::default() };
/// assert_eq!(buckets.upper_bound(0), 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NativeBuckets {
    /// The resolution, from -4 (a factor of 65 536 between bounds) to 8 (about
    /// 0.27 %).
    pub schema: i32,
    /// The largest value counted in the zero bucket; greater than 0.
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    pub zero_count: u64,
    /// `(index, count)` of each positive bucket that has observations, by increasing
    /// index (counts not cumulative).
    pub positive: Vec<(i32, u64)>,
    /// The same for negative observations (the index of `-v`).
    pub negative: Vec<(i32, u64)>,
}

impl NativeBuckets {
    /// The upper bound of positive bucket `index`: `2^(index × 2^-schema)`.
    ///
    /// ```
    /// use monitor_runtime::model::NativeBuckets;
    ///
    /// let buckets = NativeBuckets { schema: 0, zero_threshold: 1e-9, ..Default::default() };
    /// assert_eq!(buckets.upper_bound(3), 8.0);
    /// ```
    pub fn upper_bound(&self, index: i32) -> f64 {
        (f64::from(index) * (-f64::from(self.schema)).exp2()).exp2()
    }
}

/// A summary (only from collectors of the application).
///
/// ```
/// use monitor_runtime::model::Summary;
///
/// let summary = Summary { count: 10, sum: 2.5, quantiles: vec![(0.5, 0.2), (0.99, 0.9)] };
/// assert_eq!(summary.quantiles.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Observations.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// `(quantile, value)` pairs.
    pub quantiles: Vec<(f64, f64)>,
}

/// One observation kept beside the figure it went into, with the labels that say
/// where it came from (a `trace_id` and `span_id`).
///
/// ```
/// use monitor_runtime::model::{Exemplar, Labels};
///
/// let exemplar = Exemplar {
///     labels: Labels::new([("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")]),
///     value: 0.042,
///     timestamp: None,
/// };
/// assert_eq!(exemplar.labels.get("trace_id"), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    /// Its labels, such as `trace_id` and `span_id`.
    pub labels: Labels,
    /// The value observed (for a counter, the amount added).
    pub value: f64,
    /// When, in seconds since the Unix epoch.
    pub timestamp: Option<f64>,
}

/// The labels of a series, sorted by name; cheap to clone: shared, or for the
/// label sets that live as long as the program (those of the runtime's own
/// series), a plain reference.
///
/// ```
/// use monitor_runtime::model::Labels;
///
/// let labels = Labels::new([("route", "/orders"), ("method", "GET")]);
/// assert_eq!(labels.iter().next(), Some(("method", "GET"))); // sorted by name
/// assert_eq!(labels.with("status", "200").len(), 3);
/// ```
#[derive(Clone)]
pub struct Labels(Pairs);

#[derive(Clone)]
enum Pairs {
    Shared(Arc<[(Text, Text)]>),
    Static(&'static [(Text, Text)]),
}

impl std::ops::Deref for Pairs {
    type Target = [(Text, Text)];

    fn deref(&self) -> &Self::Target {
        match self {
            Pairs::Shared(pairs) => pairs,
            Pairs::Static(pairs) => pairs,
        }
    }
}

impl Default for Labels {
    fn default() -> Self {
        Labels(Pairs::Static(&[]))
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

impl Eq for Labels {}

impl std::hash::Hash for Labels {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (*self.0).hash(state);
    }
}

impl PartialOrd for Labels {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Labels {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self.0).cmp(&*other.0)
    }
}

impl Labels {
    /// Labels from `(name, value)` pairs, in any order.
    ///
    /// ```
    /// use monitor_runtime::model::Labels;
    ///
    /// let labels = Labels::new([("route", "/a"), ("method", "GET")]);
    /// assert_eq!(labels.get("method"), Some("GET"));
    /// assert_eq!(labels.iter().next(), Some(("method", "GET")));
    /// ```
    pub fn new<N, V>(pairs: impl IntoIterator<Item = (N, V)>) -> Self
    where
        N: Into<Text>,
        V: Into<Text>,
    {
        let mut pairs: Vec<(Text, Text)> = pairs
            .into_iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        Self(Pairs::Shared(pairs.into()))
    }

    /// These labels kept for the rest of the program, so that a clone is a copy
    /// of a reference: for label sets made once and never dropped (a series that
    /// exists for the life of the process).
    pub(crate) fn leaked(self) -> Self {
        match self.0 {
            Pairs::Static(_) => self,
            Pairs::Shared(pairs) => {
                Labels(Pairs::Static(Box::leak(pairs.iter().cloned().collect())))
            }
        }
    }

    /// The first `len` of these labels (sorted by name, so still sorted), sharing
    /// their memory: label sets kept for the rest of the program that start alike
    /// start at one address, which readers may use to know them without reading
    /// them ([`address`](Self::address)).
    pub(crate) fn prefix(&self, len: usize) -> Self {
        match self.0 {
            Pairs::Static(pairs) => Labels(Pairs::Static(&pairs[..len.min(pairs.len())])),
            Pairs::Shared(ref pairs) => Labels::new(pairs[..len.min(pairs.len())].iter().cloned()),
        }
    }

    /// Where label sets kept for the rest of the program start in memory (a set
    /// and its [`prefix`](Self::prefix)es start at the same address); `None` for
    /// the others, whose memory may be reused once they are dropped.
    #[cfg(feature = "http")]
    pub(crate) fn address(&self) -> Option<usize> {
        match self.0 {
            Pairs::Static(pairs) => Some(pairs.as_ptr() as usize),
            Pairs::Shared(_) => None,
        }
    }

    /// No labels.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The value of label `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_ref())
    }

    /// The pairs, sorted by name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_ref(), value.as_ref()))
    }

    /// The value of label `name`, as stored (borrowed for the label sets of the
    /// runtime's own series: a clone copies a reference).
    pub fn get_text(&self, name: &str) -> Option<&Text> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The pairs as stored.
    pub fn pairs(&self) -> &[(Text, Text)] {
        &self.0
    }

    /// How many labels.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every pair of `wanted` is among these labels.
    pub fn matches(&self, wanted: &[(&str, &str)]) -> bool {
        wanted
            .iter()
            .all(|(name, value)| self.get(name) == Some(*value))
    }

    /// These labels and one more (replacing a label of that name).
    pub fn with(&self, name: impl Into<Text>, value: impl Into<Text>) -> Self {
        let name = name.into();
        Self::new(
            self.0
                .iter()
                .filter(|(key, _)| *key != name)
                .cloned()
                .chain([(name.clone(), value.into())]),
        )
    }

    /// The length of the labels written as OpenMetrics counts it for an exemplar:
    /// the characters of every name and value.
    pub fn characters(&self) -> usize {
        self.0
            .iter()
            .map(|(name, value)| name.chars().count() + value.chars().count())
            .sum()
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<N: Into<Text>, V: Into<Text>> FromIterator<(N, V)> for Labels {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        Self::new(iter)
    }
}

/// The longest label set of an exemplar OpenMetrics allows, in characters of names
/// and values.
pub(crate) const EXEMPLAR_MAX_CHARACTERS: usize = 128;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_sort_and_replace() {
        let labels = Labels::new([("b", "2"), ("a", "1")]);
        assert_eq!(labels.iter().collect::<Vec<_>>(), [("a", "1"), ("b", "2")]);
        let more = labels.with("a", "x").with("c", "3");
        assert_eq!(
            more.iter().collect::<Vec<_>>(),
            [("a", "x"), ("b", "2"), ("c", "3")]
        );
        assert!(more.matches(&[("c", "3"), ("a", "x")]));
        assert!(!more.matches(&[("a", "1")]));
        assert_eq!(Labels::new([("é", "ü")]).characters(), 2);
    }

    #[test]
    fn units_come_from_the_name() {
        assert_eq!(unit_of("a_seconds", Kind::Histogram), Some("seconds"));
        assert_eq!(unit_of("a_seconds_total", Kind::Counter), Some("seconds"));
        assert_eq!(unit_of("a_seconds_total", Kind::Gauge), None);
        assert_eq!(unit_of("seconds", Kind::Gauge), None);
        assert_eq!(unit_of("a_xseconds", Kind::Gauge), None);
        assert_eq!(unit_of("cache_hit_ratio", Kind::Gauge), Some("ratio"));
    }

    #[test]
    fn native_bounds_follow_the_schema() {
        let native = NativeBuckets {
            schema: 3,
            zero_threshold: 1e-9,
            ..Default::default()
        };
        assert!((native.upper_bound(8) - 2.0).abs() < 1e-12);
        assert!((native.upper_bound(-8) - 0.5).abs() < 1e-12);
        assert_eq!(native.upper_bound(0), 1.0);
    }
}
