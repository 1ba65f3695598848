//! The Prometheus protobuf format: `io.prometheus.client.MetricFamily` messages
//! (`prometheus/client_model`'s `metrics.proto`), each preceded by its length as a
//! varint. The only format that carries native histograms.

use prost::Message;

use crate::core::model::{self, Family, Kind, NativeBuckets, Snapshot, Value};

/// The length-delimited messages of `snapshot`.
pub(super) fn render(snapshot: &Snapshot) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    for family in &snapshot.families {
        if family.series.is_empty() {
            continue;
        }
        for message in messages(family) {
            // Writing to a `Vec` cannot fail.
            let _ = message.encode_length_delimited(&mut out);
        }
    }
    out
}

/// The messages of one family: one, or two for a histogram family whose series are
/// native for some and classic only for others (the native ones first). Prometheus
/// before 2.44 takes a whole message as native or classic by its first series, so
/// series of each kind go in a message of their own, under the same name.
fn messages(family: &Family) -> Vec<MetricFamily> {
    let is_native = |series: &model::Series| matches!(&series.value, Value::Histogram(histogram) if histogram.native.is_some());
    let natives = family
        .series
        .iter()
        .filter(|series| is_native(series))
        .count();
    if family.kind != Kind::Histogram || natives == 0 || natives == family.series.len() {
        return vec![metric_family(family, family.series.iter())];
    }
    vec![
        metric_family(
            family,
            family.series.iter().filter(|series| is_native(series)),
        ),
        metric_family(
            family,
            family.series.iter().filter(|series| !is_native(series)),
        ),
    ]
}

fn metric_family<'a>(
    family: &Family,
    series: impl Iterator<Item = &'a model::Series>,
) -> MetricFamily {
    let kind = match family.kind {
        Kind::Counter => MetricType::Counter,
        Kind::Gauge | Kind::Info => MetricType::Gauge,
        Kind::Histogram => MetricType::Histogram,
        Kind::Summary => MetricType::Summary,
        Kind::Untyped => MetricType::Untyped,
    };
    MetricFamily {
        name: Some(family.name.to_string()),
        help: Some(family.help.to_string()),
        r#type: Some(kind as i32),
        metric: series
            .map(|series| {
                let mut metric = Metric {
                    label: labels(&series.labels),
                    ..Metric::default()
                };
                match &series.value {
                    Value::Counter(counter) => {
                        metric.counter = Some(Counter {
                            value: Some(counter.value),
                            exemplar: counter.exemplar.as_ref().map(exemplar),
                        });
                    }
                    Value::Gauge(value) => {
                        metric.gauge = Some(Gauge {
                            value: Some(*value),
                        })
                    }
                    Value::Info => metric.gauge = Some(Gauge { value: Some(1.0) }),
                    Value::Untyped(value) => {
                        metric.untyped = Some(Untyped {
                            value: Some(*value),
                        });
                    }
                    Value::Summary(summary) => {
                        metric.summary = Some(Summary {
                            sample_count: Some(summary.count),
                            sample_sum: Some(summary.sum),
                            quantile: summary
                                .quantiles
                                .iter()
                                .map(|(quantile, value)| Quantile {
                                    quantile: Some(*quantile),
                                    value: Some(*value),
                                })
                                .collect(),
                        });
                    }
                    Value::Histogram(histogram) => {
                        metric.histogram = Some(self::histogram(histogram))
                    }
                }
                metric
            })
            .collect(),
        unit: family.unit.as_ref().map(|unit| unit.to_string()),
    }
}

fn labels(labels: &model::Labels) -> Vec<LabelPair> {
    labels
        .iter()
        .map(|(name, value)| LabelPair {
            name: Some(name.to_owned()),
            value: Some(value.to_owned()),
        })
        .collect()
}

fn exemplar(exemplar: &model::Exemplar) -> Exemplar {
    Exemplar {
        label: labels(&exemplar.labels),
        value: Some(exemplar.value),
        timestamp: exemplar.timestamp.map(|at| Timestamp {
            seconds: at.floor() as i64,
            nanos: ((at - at.floor()) * 1e9) as i32,
        }),
    }
}

fn histogram(histogram: &model::Histogram) -> Histogram {
    let mut message = Histogram {
        sample_count: Some(histogram.count),
        sample_sum: Some(histogram.sum),
        bucket: histogram
            .bounds
            .iter()
            .enumerate()
            .map(|(at, bound)| Bucket {
                cumulative_count: Some(histogram.cumulative_count(at)),
                upper_bound: Some(*bound),
                exemplar: histogram.exemplar(at).map(exemplar),
            })
            .collect(),
        ..Histogram::default()
    };
    if let Some(inf) = histogram.exemplar(histogram.bounds.len()) {
        // The +Inf bucket is written only to carry its exemplar.
        message.bucket.push(Bucket {
            cumulative_count: Some(histogram.count),
            upper_bound: Some(f64::INFINITY),
            exemplar: Some(exemplar(inf)),
        });
    }
    if let Some(native) = &histogram.native {
        add_native(&mut message, native);
    }
    message
}

/// The native buckets as spans and deltas.
fn add_native(message: &mut Histogram, native: &NativeBuckets) {
    message.schema = Some(native.schema);
    // A positive threshold marks the histogram as native to every reader, even one
    // without observations.
    message.zero_threshold = Some(native.zero_threshold.max(f64::MIN_POSITIVE));
    message.zero_count = Some(native.zero_count);
    let (spans, deltas) = spans_and_deltas(&native.positive);
    message.positive_span = spans;
    message.positive_delta = deltas;
    let (spans, deltas) = spans_and_deltas(&native.negative);
    message.negative_span = spans;
    message.negative_delta = deltas;
    if native.positive.is_empty() && native.negative.is_empty() {
        // An empty span, as client_golang writes one, so that newer readers that
        // look at spans see a native histogram too.
        message.positive_span.push(BucketSpan {
            offset: Some(0),
            length: Some(0),
        });
    }
}

/// Buckets `(index, count)` (increasing indexes) as spans of consecutive indexes
/// (the first offset the first index, each later one the gap since the previous
/// span; gaps of one or two empty buckets are filled, which costs less than a span)
/// and the count of each bucket as its difference from the previous one.
fn spans_and_deltas(buckets: &[(i32, u64)]) -> (Vec<BucketSpan>, Vec<i64>) {
    let mut spans: Vec<BucketSpan> = Vec::new();
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
                *span.length.get_or_insert(0) += (index - next) as u32 + 1;
            }
            Some(next) => spans.push(BucketSpan {
                offset: Some(index - next),
                length: Some(1),
            }),
            None => spans.push(BucketSpan {
                offset: Some(index),
                length: Some(1),
            }),
        }
        let count = count as i64;
        deltas.push(count - previous_count);
        previous_count = count;
        next_index = Some(index + 1);
    }
    (spans, deltas)
}

// The messages of `io/prometheus/client/metrics.proto`, the fields the runtime fills.

#[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
#[repr(i32)]
enum MetricType {
    Counter = 0,
    Gauge = 1,
    Summary = 2,
    Untyped = 3,
    Histogram = 4,
}

#[derive(Clone, PartialEq, Message)]
struct MetricFamily {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    help: Option<String>,
    #[prost(enumeration = "MetricType", optional, tag = "3")]
    r#type: Option<i32>,
    #[prost(message, repeated, tag = "4")]
    metric: Vec<Metric>,
    #[prost(string, optional, tag = "5")]
    unit: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Metric {
    #[prost(message, repeated, tag = "1")]
    label: Vec<LabelPair>,
    #[prost(message, optional, tag = "2")]
    gauge: Option<Gauge>,
    #[prost(message, optional, tag = "3")]
    counter: Option<Counter>,
    #[prost(message, optional, tag = "4")]
    summary: Option<Summary>,
    #[prost(message, optional, tag = "5")]
    untyped: Option<Untyped>,
    #[prost(message, optional, tag = "7")]
    histogram: Option<Histogram>,
}

#[derive(Clone, PartialEq, Message)]
struct LabelPair {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    value: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Gauge {
    #[prost(double, optional, tag = "1")]
    value: Option<f64>,
}

#[derive(Clone, PartialEq, Message)]
struct Counter {
    #[prost(double, optional, tag = "1")]
    value: Option<f64>,
    #[prost(message, optional, tag = "2")]
    exemplar: Option<Exemplar>,
}

#[derive(Clone, PartialEq, Message)]
struct Untyped {
    #[prost(double, optional, tag = "1")]
    value: Option<f64>,
}

#[derive(Clone, PartialEq, Message)]
struct Quantile {
    #[prost(double, optional, tag = "1")]
    quantile: Option<f64>,
    #[prost(double, optional, tag = "2")]
    value: Option<f64>,
}

#[derive(Clone, PartialEq, Message)]
struct Summary {
    #[prost(uint64, optional, tag = "1")]
    sample_count: Option<u64>,
    #[prost(double, optional, tag = "2")]
    sample_sum: Option<f64>,
    #[prost(message, repeated, tag = "3")]
    quantile: Vec<Quantile>,
}

#[derive(Clone, PartialEq, Message)]
struct Histogram {
    #[prost(uint64, optional, tag = "1")]
    sample_count: Option<u64>,
    #[prost(double, optional, tag = "2")]
    sample_sum: Option<f64>,
    #[prost(message, repeated, tag = "3")]
    bucket: Vec<Bucket>,
    #[prost(sint32, optional, tag = "5")]
    schema: Option<i32>,
    #[prost(double, optional, tag = "6")]
    zero_threshold: Option<f64>,
    #[prost(uint64, optional, tag = "7")]
    zero_count: Option<u64>,
    #[prost(message, repeated, tag = "9")]
    negative_span: Vec<BucketSpan>,
    #[prost(sint64, repeated, packed = "false", tag = "10")]
    negative_delta: Vec<i64>,
    #[prost(message, repeated, tag = "12")]
    positive_span: Vec<BucketSpan>,
    #[prost(sint64, repeated, packed = "false", tag = "13")]
    positive_delta: Vec<i64>,
}

#[derive(Clone, PartialEq, Message)]
struct Bucket {
    #[prost(uint64, optional, tag = "1")]
    cumulative_count: Option<u64>,
    #[prost(double, optional, tag = "2")]
    upper_bound: Option<f64>,
    #[prost(message, optional, tag = "3")]
    exemplar: Option<Exemplar>,
}

#[derive(Clone, PartialEq, Message)]
struct BucketSpan {
    #[prost(sint32, optional, tag = "1")]
    offset: Option<i32>,
    #[prost(uint32, optional, tag = "2")]
    length: Option<u32>,
}

#[derive(Clone, PartialEq, Message)]
struct Exemplar {
    #[prost(message, repeated, tag = "1")]
    label: Vec<LabelPair>,
    #[prost(double, optional, tag = "2")]
    value: Option<f64>,
    #[prost(message, optional, tag = "3")]
    timestamp: Option<Timestamp>,
}

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, Message)]
struct Timestamp {
    #[prost(int64, tag = "1")]
    seconds: i64,
    #[prost(int32, tag = "2")]
    nanos: i32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Labels;

    #[test]
    fn a_family_of_native_and_classic_series_is_written_as_two_messages() {
        let mut family = model::Family::new("wait_seconds", "Waits.", Kind::Histogram);
        for (name, native) in [("a", false), ("b", true), ("c", false)] {
            let mut histogram = model::Histogram::classic(vec![1.0], &[1, 0], 0.5);
            if native {
                histogram.native = Some(NativeBuckets {
                    schema: 0,
                    zero_threshold: 1e-9,
                    ..NativeBuckets::default()
                });
            }
            family.push(
                Labels::new([("f", name)]),
                Value::Histogram(Box::new(histogram)),
            );
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
        let spans: Vec<(i32, u32)> = spans
            .iter()
            .map(|span| (span.offset.unwrap(), span.length.unwrap()))
            .collect();
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
        histogram.native = Some(NativeBuckets {
            schema: 3,
            zero_threshold: 1e-9,
            zero_count: 0,
            positive: vec![(0, 1), (13, 1)],
            negative: Vec::new(),
        });
        waits.push(Labels::empty(), Value::Histogram(Box::new(histogram)));
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
