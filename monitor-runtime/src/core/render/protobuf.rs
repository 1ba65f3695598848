//! The Prometheus protobuf format: `io.prometheus.client.MetricFamily` messages
//! (`prometheus/client_model`'s `metrics.proto`), each preceded by its length as a
//! varint. The only format that carries native histograms.

use crate::core::model::{self, Family, Kind, NativeBuckets, Snapshot, Value};

/// The length-delimited messages of `snapshot`, written field by field from the model
/// (no message is built first): each message's length is computed, then its bytes.
pub(super) fn render(snapshot: &Snapshot) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    for family in &snapshot.families {
        if family.series.is_empty() {
            continue;
        }
        let is_native = |series: &&model::Series| matches!(&series.value, Value::Histogram(histogram) if histogram.native.is_some());
        let natives = family.series.iter().filter(is_native).count();
        if family.kind != Kind::Histogram || natives == 0 || natives == family.series.len() {
            write_family(&mut out, family, || family.series.iter());
        } else {
            // Prometheus before 2.44 takes a whole message as native or classic by its
            // first series: series of each kind go in a message of their own, under
            // the same name, the native ones first.
            write_family(&mut out, family, || family.series.iter().filter(is_native));
            write_family(&mut out, family, || {
                family.series.iter().filter(|series| !is_native(series))
            });
        }
    }
    out
}

// Field numbers of `io/prometheus/client/metrics.proto`.
const FAMILY_NAME: u32 = 1;
const FAMILY_HELP: u32 = 2;
const FAMILY_TYPE: u32 = 3;
const FAMILY_METRIC: u32 = 4;
const FAMILY_UNIT: u32 = 5;
const METRIC_LABEL: u32 = 1;
const METRIC_GAUGE: u32 = 2;
const METRIC_COUNTER: u32 = 3;
const METRIC_SUMMARY: u32 = 4;
const METRIC_UNTYPED: u32 = 5;
const METRIC_HISTOGRAM: u32 = 7;

// `MetricType`.
const TYPE_COUNTER: u64 = 0;
const TYPE_GAUGE: u64 = 1;
const TYPE_SUMMARY: u64 = 2;
const TYPE_UNTYPED: u64 = 3;
const TYPE_HISTOGRAM: u64 = 4;

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const DELIMITED: u32 = 2;

fn key_len(tag: u32) -> usize {
    varint_len(u64::from(tag << 3))
}

fn varint_len(value: u64) -> usize {
    prost::encoding::encoded_len_varint(value)
}

fn put_varint(out: &mut Vec<u8>, value: u64) {
    prost::encoding::encode_varint(value, out);
}

fn put_key(out: &mut Vec<u8>, tag: u32, wire: u32) {
    put_varint(out, u64::from(tag << 3 | wire));
}

/// A field of `len` bytes: key, length, and the caller writes the bytes.
fn put_delimited(out: &mut Vec<u8>, tag: u32, len: usize) {
    put_key(out, tag, DELIMITED);
    put_varint(out, len as u64);
}

fn delimited_len(tag: u32, len: usize) -> usize {
    key_len(tag) + varint_len(len as u64) + len
}

fn put_bytes(out: &mut Vec<u8>, tag: u32, bytes: &[u8]) {
    put_delimited(out, tag, bytes.len());
    out.extend_from_slice(bytes);
}

fn put_double(out: &mut Vec<u8>, tag: u32, value: f64) {
    put_key(out, tag, FIXED64);
    out.extend_from_slice(&value.to_le_bytes());
}

const DOUBLE_LEN: usize = 9;

fn put_uint(out: &mut Vec<u8>, tag: u32, value: u64) {
    put_key(out, tag, VARINT);
    put_varint(out, value);
}

fn uint_len(tag: u32, value: u64) -> usize {
    key_len(tag) + varint_len(value)
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// A family's message, with the series `series` gives.
fn write_family<'a, I>(out: &mut Vec<u8>, family: &Family, series: impl Fn() -> I)
where
    I: Iterator<Item = &'a model::Series>,
{
    let kind = match family.kind {
        Kind::Counter => TYPE_COUNTER,
        Kind::Gauge | Kind::Info => TYPE_GAUGE,
        Kind::Histogram => TYPE_HISTOGRAM,
        Kind::Summary => TYPE_SUMMARY,
        Kind::Untyped => TYPE_UNTYPED,
    };
    let mut len = delimited_len(FAMILY_NAME, family.name.len())
        + delimited_len(FAMILY_HELP, family.help.len())
        + uint_len(FAMILY_TYPE, kind);
    if let Some(unit) = &family.unit {
        len += delimited_len(FAMILY_UNIT, unit.len());
    }
    for series in series() {
        len += delimited_len(FAMILY_METRIC, metric_len(series));
    }
    put_varint(out, len as u64);
    out.reserve(len);
    put_bytes(out, FAMILY_NAME, family.name.as_bytes());
    put_bytes(out, FAMILY_HELP, family.help.as_bytes());
    put_uint(out, FAMILY_TYPE, kind);
    for series in series() {
        put_delimited(out, FAMILY_METRIC, metric_len(series));
        write_metric(out, series);
    }
    if let Some(unit) = &family.unit {
        put_bytes(out, FAMILY_UNIT, unit.as_bytes());
    }
}

fn labels_len(labels: &model::Labels, tag: u32) -> usize {
    labels
        .iter()
        .map(|(name, value)| delimited_len(tag, pair_len(name, value)))
        .sum()
}

fn pair_len(name: &str, value: &str) -> usize {
    delimited_len(1, name.len()) + delimited_len(2, value.len())
}

fn put_labels(out: &mut Vec<u8>, labels: &model::Labels, tag: u32) {
    for (name, value) in labels.iter() {
        put_delimited(out, tag, pair_len(name, value));
        put_bytes(out, 1, name.as_bytes());
        put_bytes(out, 2, value.as_bytes());
    }
}

fn metric_len(series: &model::Series) -> usize {
    labels_len(&series.labels, METRIC_LABEL)
        + match &series.value {
            Value::Counter(counter) => delimited_len(METRIC_COUNTER, counter_len(counter)),
            Value::Gauge(_) | Value::Info => delimited_len(METRIC_GAUGE, DOUBLE_LEN),
            Value::Untyped(_) => delimited_len(METRIC_UNTYPED, DOUBLE_LEN),
            Value::Summary(summary) => delimited_len(METRIC_SUMMARY, summary_len(summary)),
            Value::Histogram(histogram) => {
                delimited_len(METRIC_HISTOGRAM, histogram_len(histogram))
            }
        }
}

fn write_metric(out: &mut Vec<u8>, series: &model::Series) {
    put_labels(out, &series.labels, METRIC_LABEL);
    match &series.value {
        Value::Counter(counter) => {
            put_delimited(out, METRIC_COUNTER, counter_len(counter));
            put_double(out, 1, counter.value);
            if let Some(exemplar) = &counter.exemplar {
                put_delimited(out, 2, exemplar_len(exemplar));
                write_exemplar(out, exemplar);
            }
        }
        Value::Gauge(value) => {
            put_delimited(out, METRIC_GAUGE, DOUBLE_LEN);
            put_double(out, 1, *value);
        }
        Value::Info => {
            put_delimited(out, METRIC_GAUGE, DOUBLE_LEN);
            put_double(out, 1, 1.0);
        }
        Value::Untyped(value) => {
            put_delimited(out, METRIC_UNTYPED, DOUBLE_LEN);
            put_double(out, 1, *value);
        }
        Value::Summary(summary) => {
            put_delimited(out, METRIC_SUMMARY, summary_len(summary));
            put_uint(out, 1, summary.count);
            put_double(out, 2, summary.sum);
            for (quantile, value) in &summary.quantiles {
                put_delimited(out, 3, 2 * DOUBLE_LEN);
                put_double(out, 1, *quantile);
                put_double(out, 2, *value);
            }
        }
        Value::Histogram(histogram) => {
            put_delimited(out, METRIC_HISTOGRAM, histogram_len(histogram));
            write_histogram(out, histogram);
        }
    }
}

fn counter_len(counter: &model::Counter) -> usize {
    DOUBLE_LEN
        + counter
            .exemplar
            .as_ref()
            .map_or(0, |exemplar| delimited_len(2, exemplar_len(exemplar)))
}

fn summary_len(summary: &model::Summary) -> usize {
    uint_len(1, summary.count)
        + DOUBLE_LEN
        + summary.quantiles.len() * delimited_len(3, 2 * DOUBLE_LEN)
}

/// `Timestamp { seconds, nanos }` of a time in seconds since the epoch.
fn timestamp(at: f64) -> (u64, u64) {
    let seconds = at.floor();
    (seconds as i64 as u64, ((at - seconds) * 1e9) as u64)
}

fn timestamp_len(at: f64) -> usize {
    let (seconds, nanos) = timestamp(at);
    uint_len(1, seconds) + uint_len(2, nanos)
}

fn exemplar_len(exemplar: &model::Exemplar) -> usize {
    labels_len(&exemplar.labels, 1)
        + DOUBLE_LEN
        + exemplar
            .timestamp
            .map_or(0, |at| delimited_len(3, timestamp_len(at)))
}

fn write_exemplar(out: &mut Vec<u8>, exemplar: &model::Exemplar) {
    put_labels(out, &exemplar.labels, 1);
    put_double(out, 2, exemplar.value);
    if let Some(at) = exemplar.timestamp {
        put_delimited(out, 3, timestamp_len(at));
        let (seconds, nanos) = timestamp(at);
        put_uint(out, 1, seconds);
        put_uint(out, 2, nanos);
    }
}

fn bucket_len(histogram: &model::Histogram, at: usize) -> usize {
    uint_len(1, histogram.cumulative_count(at))
        + DOUBLE_LEN
        + histogram
            .exemplar(at)
            .map_or(0, |exemplar| delimited_len(3, exemplar_len(exemplar)))
}

fn write_bucket(out: &mut Vec<u8>, histogram: &model::Histogram, at: usize, bound: f64) {
    put_delimited(out, 3, bucket_len(histogram, at));
    put_uint(out, 1, histogram.cumulative_count(at));
    put_double(out, 2, bound);
    if let Some(exemplar) = histogram.exemplar(at) {
        put_delimited(out, 3, exemplar_len(exemplar));
        write_exemplar(out, exemplar);
    }
}

/// The classic buckets a message writes: one per bound, and `+Inf` only to carry
/// its exemplar.
fn buckets(histogram: &model::Histogram) -> impl Iterator<Item = (usize, f64)> + '_ {
    let inf = histogram.bounds.len();
    histogram
        .bounds
        .iter()
        .copied()
        .enumerate()
        .chain((histogram.exemplar(inf).is_some()).then_some((inf, f64::INFINITY)))
}

fn histogram_len(histogram: &model::Histogram) -> usize {
    let mut len = uint_len(1, histogram.count) + DOUBLE_LEN;
    for (at, _) in buckets(histogram) {
        len += delimited_len(3, bucket_len(histogram, at));
    }
    if let Some(native) = &histogram.native {
        len += native_len(native);
    }
    len
}

fn write_histogram(out: &mut Vec<u8>, histogram: &model::Histogram) {
    put_uint(out, 1, histogram.count);
    put_double(out, 2, histogram.sum);
    for (at, bound) in buckets(histogram) {
        write_bucket(out, histogram, at, bound);
    }
    if let Some(native) = &histogram.native {
        write_native(out, native);
    }
}

/// Native buckets as spans of consecutive indexes and deltas of counts.
struct Spans {
    /// `(offset, length)`.
    spans: Vec<(i32, u32)>,
    deltas: Vec<i64>,
}

impl Spans {
    fn of(buckets: &[(i32, u64)]) -> Self {
        let (spans, deltas) = spans_and_deltas(buckets);
        Self { spans, deltas }
    }

    fn len(&self, span_tag: u32, delta_tag: u32) -> usize {
        let spans: usize = self
            .spans
            .iter()
            .map(|(offset, length)| delimited_len(span_tag, span_len(*offset, *length)))
            .sum();
        let deltas: usize = self
            .deltas
            .iter()
            .map(|delta| uint_len(delta_tag, zigzag(*delta)))
            .sum();
        spans + deltas
    }

    fn write(&self, out: &mut Vec<u8>, span_tag: u32, delta_tag: u32) {
        for (offset, length) in &self.spans {
            put_delimited(out, span_tag, span_len(*offset, *length));
            put_uint(out, 1, zigzag(i64::from(*offset)));
            put_uint(out, 2, u64::from(*length));
        }
        for delta in &self.deltas {
            put_uint(out, delta_tag, zigzag(*delta));
        }
    }
}

fn span_len(offset: i32, length: u32) -> usize {
    uint_len(1, zigzag(i64::from(offset))) + uint_len(2, u64::from(length))
}

/// The native fields: a positive zero threshold marks the histogram native to every
/// reader, and an empty span one without observations, as client_golang writes it.
fn native_parts(native: &NativeBuckets) -> (Spans, Spans) {
    let mut positive = Spans::of(&native.positive);
    if native.positive.is_empty() && native.negative.is_empty() {
        positive.spans.push((0, 0));
    }
    (positive, Spans::of(&native.negative))
}

fn native_len(native: &NativeBuckets) -> usize {
    let (positive, negative) = native_parts(native);
    uint_len(5, zigzag(i64::from(native.schema)))
        + DOUBLE_LEN
        + uint_len(7, native.zero_count)
        + negative.len(9, 10)
        + positive.len(12, 13)
}

fn write_native(out: &mut Vec<u8>, native: &NativeBuckets) {
    let (positive, negative) = native_parts(native);
    put_uint(out, 5, zigzag(i64::from(native.schema)));
    put_double(out, 6, native.zero_threshold.max(f64::MIN_POSITIVE));
    put_uint(out, 7, native.zero_count);
    negative.write(out, 9, 10);
    positive.write(out, 12, 13);
}

/// Buckets `(index, count)` (increasing indexes) as spans of consecutive indexes
/// (the first offset the first index, each later one the gap since the previous
/// span; gaps of one or two empty buckets are filled, which costs less than a span)
/// and the count of each bucket as its difference from the previous one.
fn spans_and_deltas(buckets: &[(i32, u64)]) -> (Vec<(i32, u32)>, Vec<i64>) {
    let mut spans: Vec<(i32, u32)> = Vec::new();
    let mut deltas = Vec::with_capacity(buckets.len());
    let mut previous_count = 0_i64;
    let mut next_index = None;
    for &(index, count) in buckets {
        match next_index {
            Some(next) if index >= next && index - next <= 2 => {
                let span = spans.last_mut().expect("a span is open");
                for _ in next..index {
                    deltas.push(-previous_count);
                    previous_count = 0;
                }
                span.1 += (index - next) as u32 + 1;
            }
            Some(next) => spans.push((index - next, 1)),
            None => spans.push((index, 1)),
        }
        let count = count as i64;
        deltas.push(count - previous_count);
        previous_count = count;
        next_index = Some(index + 1);
    }
    (spans, deltas)
}

#[cfg(test)]
mod messages {
    //! The messages of `io/prometheus/client/metrics.proto`, decoded by prost, to
    //! check what the writer writes.
    #![allow(dead_code, reason = "fields read by some tests only")]

    use prost::Message;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub(super) enum MetricType {
        Counter = 0,
        Gauge = 1,
        Summary = 2,
        Untyped = 3,
        Histogram = 4,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct MetricFamily {
        #[prost(string, optional, tag = "1")]
        pub(super) name: Option<String>,
        #[prost(string, optional, tag = "2")]
        pub(super) help: Option<String>,
        #[prost(enumeration = "MetricType", optional, tag = "3")]
        pub(super) r#type: Option<i32>,
        #[prost(message, repeated, tag = "4")]
        pub(super) metric: Vec<Metric>,
        #[prost(string, optional, tag = "5")]
        pub(super) unit: Option<String>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Metric {
        #[prost(message, repeated, tag = "1")]
        pub(super) label: Vec<LabelPair>,
        #[prost(message, optional, tag = "2")]
        pub(super) gauge: Option<Gauge>,
        #[prost(message, optional, tag = "3")]
        pub(super) counter: Option<Counter>,
        #[prost(message, optional, tag = "4")]
        pub(super) summary: Option<Summary>,
        #[prost(message, optional, tag = "5")]
        pub(super) untyped: Option<Untyped>,
        #[prost(message, optional, tag = "7")]
        pub(super) histogram: Option<Histogram>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct LabelPair {
        #[prost(string, optional, tag = "1")]
        pub(super) name: Option<String>,
        #[prost(string, optional, tag = "2")]
        pub(super) value: Option<String>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Gauge {
        #[prost(double, optional, tag = "1")]
        pub(super) value: Option<f64>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Counter {
        #[prost(double, optional, tag = "1")]
        pub(super) value: Option<f64>,
        #[prost(message, optional, tag = "2")]
        pub(super) exemplar: Option<Exemplar>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Untyped {
        #[prost(double, optional, tag = "1")]
        pub(super) value: Option<f64>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Quantile {
        #[prost(double, optional, tag = "1")]
        pub(super) quantile: Option<f64>,
        #[prost(double, optional, tag = "2")]
        pub(super) value: Option<f64>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Summary {
        #[prost(uint64, optional, tag = "1")]
        pub(super) sample_count: Option<u64>,
        #[prost(double, optional, tag = "2")]
        pub(super) sample_sum: Option<f64>,
        #[prost(message, repeated, tag = "3")]
        pub(super) quantile: Vec<Quantile>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Histogram {
        #[prost(uint64, optional, tag = "1")]
        pub(super) sample_count: Option<u64>,
        #[prost(double, optional, tag = "2")]
        pub(super) sample_sum: Option<f64>,
        #[prost(message, repeated, tag = "3")]
        pub(super) bucket: Vec<Bucket>,
        #[prost(sint32, optional, tag = "5")]
        pub(super) schema: Option<i32>,
        #[prost(double, optional, tag = "6")]
        pub(super) zero_threshold: Option<f64>,
        #[prost(uint64, optional, tag = "7")]
        pub(super) zero_count: Option<u64>,
        #[prost(message, repeated, tag = "9")]
        pub(super) negative_span: Vec<BucketSpan>,
        #[prost(sint64, repeated, packed = "false", tag = "10")]
        pub(super) negative_delta: Vec<i64>,
        #[prost(message, repeated, tag = "12")]
        pub(super) positive_span: Vec<BucketSpan>,
        #[prost(sint64, repeated, packed = "false", tag = "13")]
        pub(super) positive_delta: Vec<i64>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Bucket {
        #[prost(uint64, optional, tag = "1")]
        pub(super) cumulative_count: Option<u64>,
        #[prost(double, optional, tag = "2")]
        pub(super) upper_bound: Option<f64>,
        #[prost(message, optional, tag = "3")]
        pub(super) exemplar: Option<Exemplar>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct BucketSpan {
        #[prost(sint32, optional, tag = "1")]
        pub(super) offset: Option<i32>,
        #[prost(uint32, optional, tag = "2")]
        pub(super) length: Option<u32>,
    }

    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Exemplar {
        #[prost(message, repeated, tag = "1")]
        pub(super) label: Vec<LabelPair>,
        #[prost(double, optional, tag = "2")]
        pub(super) value: Option<f64>,
        #[prost(message, optional, tag = "3")]
        pub(super) timestamp: Option<Timestamp>,
    }

    /// `google.protobuf.Timestamp`.
    #[derive(Clone, PartialEq, Message)]
    pub(super) struct Timestamp {
        #[prost(int64, tag = "1")]
        pub(super) seconds: i64,
        #[prost(int32, tag = "2")]
        pub(super) nanos: i32,
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::messages::*;
    use super::*;
    use crate::core::model::Labels;

    #[test]
    fn a_family_of_native_and_classic_series_is_written_as_two_messages() {
        let mut family = model::Family::new("wait_seconds", "Waits.", Kind::Histogram);
        for (name, native) in [("a", false), ("b", true), ("c", false)] {
            let mut histogram = model::Histogram::classic(vec![1.0], &[1, 0], 0.5);
            if native {
                histogram.native = Some(Box::new(NativeBuckets {
                    schema: 0,
                    zero_threshold: 1e-9,
                    ..NativeBuckets::default()
                }));
            }
            family.push(Labels::new([("f", name)]), Value::Histogram(histogram));
        }
        let bytes = render(&Snapshot {
            families: vec![family],
        });
        let mut rest = bytes.as_slice();
        let first = MetricFamily::decode_length_delimited(&mut rest).unwrap();
        let second = MetricFamily::decode_length_delimited(&mut rest).unwrap();
        assert!(rest.is_empty());
        assert_eq!(first.name, second.name);
        assert_eq!(first.metric.len(), 1);
        assert!(first.metric[0].histogram.as_ref().unwrap().schema.is_some());
        assert_eq!(second.metric.len(), 2);
        assert!(
            second
                .metric
                .iter()
                .all(|metric| metric.histogram.as_ref().unwrap().schema.is_none())
        );
    }

    #[test]
    fn buckets_become_spans_and_deltas() {
        let (spans, deltas) = spans_and_deltas(&[(-2, 3), (-1, 1), (1, 4), (10, 2)]);
        // -2, -1, (0 filled), 1 in one span; 10 after a gap of 8.
        assert_eq!(spans, [(-2, 4), (8, 1)]);
        assert_eq!(deltas, [3, -2, -1, 4, -2]);
    }

    #[test]
    fn families_read_back_as_prometheus_reads_them() {
        let mut family = model::Family::new("calls_total", "Calls.", Kind::Counter);
        family.push(Labels::new([("a", "b")]), Value::counter(2.0));
        let mut waits = model::Family::new("wait_seconds", "Waits.", Kind::Histogram);
        let mut histogram = model::Histogram::classic(vec![1.0], &[1, 1], 3.0);
        histogram.native = Some(Box::new(NativeBuckets {
            schema: 3,
            zero_threshold: 1e-9,
            zero_count: 0,
            positive: vec![(0, 1), (13, 1)],
            negative: Vec::new(),
        }));
        waits.push(Labels::empty(), Value::Histogram(histogram));
        let bytes = render(&Snapshot {
            families: vec![family, waits],
        });
        let mut rest = bytes.as_slice();
        let first = MetricFamily::decode_length_delimited(&mut rest).unwrap();
        assert_eq!(first.name.as_deref(), Some("calls_total"));
        assert_eq!(first.metric[0].counter.as_ref().unwrap().value, Some(2.0));
        assert_eq!(first.metric[0].label[0].name.as_deref(), Some("a"));
        let second = MetricFamily::decode_length_delimited(&mut rest).unwrap();
        assert!(rest.is_empty());
        let histogram = second.metric[0].histogram.as_ref().unwrap();
        assert_eq!(histogram.schema, Some(3));
        assert_eq!(histogram.sample_count, Some(2));
        assert_eq!(histogram.bucket.len(), 1);
        assert_eq!(histogram.positive_delta, [1, 0]);
        assert_eq!(second.unit.as_deref(), Some("seconds"));
    }
}
