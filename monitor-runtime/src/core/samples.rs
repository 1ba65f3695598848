//! The samples a Prometheus scrape of the text exposition would store, taken from
//! the model with no text written or read: what the readers that work on samples
//! (the embedded alert evaluator, remote-write) read.
//!
//! A counter, gauge or untyped series is one sample named as its family; an info
//! series one sample of value 1; a histogram a `<name>_bucket` sample per classic
//! bound and one for `+Inf`, each with an `le` label written as the text format
//! writes bounds ([`write_float`]: `0.25`, `1`, `+Inf`), then `<name>_sum` and
//! `<name>_count`; a summary a `<name>` sample per quantile (a `quantile` label),
//! then `<name>_sum` and `<name>_count`. Native buckets and exemplars have no sample
//! of their own (only the protobuf and OpenMetrics expositions carry them), and a
//! family without series gives none. These are the sample lines of the text
//! exposition, in its order, with its label order (`le` and `quantile` last).

use super::model::{Family, Histogram, Labels, Snapshot, Summary, Value};
use super::render::write_float;

/// One sample: a name, labels and a value, borrowed from the snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample<'a> {
    /// The name of its family.
    pub(crate) family: &'a str,
    /// What the sample's name adds to its family's: `_bucket`, `_sum`, `_count` or
    /// nothing.
    pub(crate) suffix: &'static str,
    /// The labels of its series.
    pub(crate) series: &'a Labels,
    /// The label a histogram bucket (`le`) or a summary quantile (`quantile`) adds.
    pub(crate) extra: Option<(&'static str, &'a str)>,
    /// The value.
    pub(crate) value: f64,
}

impl Sample<'_> {
    /// The sample's name: its family's with the suffix.
    pub(crate) fn name(&self) -> String {
        let mut name = String::with_capacity(self.family.len() + self.suffix.len());
        name.push_str(self.family);
        name.push_str(self.suffix);
        name
    }

    /// Its labels: those of its series (sorted by name), then `le` or `quantile`.
    pub(crate) fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.series.iter().chain(self.extra)
    }
}

/// Calls `each` with every sample of `snapshot`, in the order of the text
/// exposition.
pub(crate) fn for_each_sample(snapshot: &Snapshot, mut each: impl FnMut(&Sample<'_>)) {
    let mut bounds = BoundTexts::default();
    for family in &snapshot.families {
        family_samples(family, &mut bounds, &mut each);
    }
}

/// The `le` texts of the bounds of the last histogram seen: histograms of one family
/// (and often of the next) share their bounds, so they are written once.
#[derive(Default)]
struct BoundTexts {
    bounds: Vec<f64>,
    texts: Vec<String>,
}

impl BoundTexts {
    fn of(&mut self, bounds: &[f64]) -> &[String] {
        if self.bounds.as_slice() != bounds {
            self.bounds.clear();
            self.bounds.extend_from_slice(bounds);
            self.texts.clear();
            self.texts.extend(bounds.iter().map(|bound| {
                let mut text = String::new();
                write_float(&mut text, *bound);
                text
            }));
        }
        &self.texts
    }
}

fn family_samples(family: &Family, bounds: &mut BoundTexts, each: &mut impl FnMut(&Sample<'_>)) {
    let name = family.name.as_ref();
    for series in &family.series {
        let plain = |value| Sample {
            family: name,
            suffix: "",
            series: &series.labels,
            extra: None,
            value,
        };
        match &series.value {
            Value::Counter(counter) => each(&plain(counter.value)),
            Value::Gauge(value) | Value::Untyped(value) => each(&plain(*value)),
            Value::Info => each(&plain(1.0)),
            Value::Histogram(histogram) => {
                histogram_samples(name, &series.labels, histogram, bounds, each);
            }
            Value::Summary(summary) => summary_samples(name, &series.labels, summary, each),
        }
    }
}

fn histogram_samples(
    name: &str,
    labels: &Labels,
    histogram: &Histogram,
    bounds: &mut BoundTexts,
    each: &mut impl FnMut(&Sample<'_>),
) {
    let bucket = |le, value| Sample {
        family: name,
        suffix: "_bucket",
        series: labels,
        extra: Some(("le", le)),
        value,
    };
    for (at, le) in bounds.of(&histogram.bounds).iter().enumerate() {
        each(&bucket(le, histogram.cumulative_count(at) as f64));
    }
    each(&bucket("+Inf", histogram.count as f64));
    totals(name, labels, histogram.sum, histogram.count, each);
}

fn summary_samples(
    name: &str,
    labels: &Labels,
    summary: &Summary,
    each: &mut impl FnMut(&Sample<'_>),
) {
    let mut quantile = String::new();
    for (q, value) in &summary.quantiles {
        quantile.clear();
        write_float(&mut quantile, *q);
        each(&Sample {
            family: name,
            suffix: "",
            series: labels,
            extra: Some(("quantile", &quantile)),
            value: *value,
        });
    }
    totals(name, labels, summary.sum, summary.count, each);
}

/// `<name>_sum` and `<name>_count`.
fn totals(name: &str, labels: &Labels, sum: f64, count: u64, each: &mut impl FnMut(&Sample<'_>)) {
    for (suffix, value) in [("_sum", sum), ("_count", count as f64)] {
        each(&Sample {
            family: name,
            suffix,
            series: labels,
            extra: None,
            value,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Kind, NativeBuckets, Summary};
    use crate::core::render::{Format, escape_label_value};

    /// A snapshot of every kind of value: labelled counters, a gauge, an info series,
    /// histograms sharing bounds, a native-only histogram, a summary, an empty family.
    fn every_kind() -> Snapshot {
        let mut calls = Family::new("calls_total", "Calls.", Kind::Counter);
        calls.push(
            Labels::new([("result", "ok"), ("function", "pay")]),
            Value::counter(3.0),
        );
        calls.push(
            Labels::new([("result", "error"), ("function", "pay")]),
            Value::counter(1.0),
        );
        let mut depth = Family::new("queue_depth", "Depth.", Kind::Gauge);
        depth.push(Labels::new([("queue", "a \"b\"\\\nc")]), Value::Gauge(-2.5));
        let mut info = Family::new("target_info", "Target.", Kind::Info);
        info.push(Labels::new([("service_name", "shop")]), Value::Info);
        let mut latency = Family::new("latency_seconds", "Latency.", Kind::Histogram);
        for (method, counts) in [("GET", [2, 1, 0, 1]), ("PUT", [0, 0, 1, 0])] {
            latency.push(
                Labels::new([("method", method)]),
                Value::Histogram(Histogram::classic(vec![0.25, 1.0, 1e21], &counts, 4.5)),
            );
        }
        let mut native = Family::new("native_seconds", "Native.", Kind::Histogram);
        native.push(
            Labels::empty(),
            Value::Histogram(Histogram {
                count: 3,
                sum: 0.5,
                native: Some(Box::new(NativeBuckets {
                    schema: 3,
                    zero_threshold: 1e-9,
                    positive: vec![(-8, 3)],
                    ..NativeBuckets::default()
                })),
                ..Histogram::default()
            }),
        );
        let mut rpc = Family::new("rpc_seconds", "RPC.", Kind::Summary);
        rpc.push(
            Labels::empty(),
            Value::Summary(Summary {
                count: 7,
                sum: 1.75,
                quantiles: vec![(0.5, 0.2), (0.99, 0.9)],
            }),
        );
        let empty = Family::new("empty_total", "Nothing yet.", Kind::Counter);
        Snapshot {
            families: vec![calls, depth, empty, latency, native, rpc, info],
        }
    }

    /// A sample, owned: its name, labels and value.
    type Owned = (String, Vec<(String, String)>, f64);

    fn all(snapshot: &Snapshot) -> Vec<Owned> {
        let mut samples = Vec::new();
        for_each_sample(snapshot, |sample| {
            let labels = sample
                .labels()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
            samples.push((sample.name(), labels, sample.value));
        });
        samples
    }

    #[test]
    fn every_kind_gives_the_samples_a_scrape_stores() {
        let samples = all(&every_kind());
        let find = |name: &str, labels: &[(&str, &str)]| {
            let wanted: Vec<(String, String)> = labels
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect();
            let found: Vec<f64> = samples
                .iter()
                .filter(|(n, l, _)| n == name && *l == wanted)
                .map(|(_, _, value)| *value)
                .collect();
            assert_eq!(found.len(), 1, "{name} {labels:?} in {samples:#?}");
            found[0]
        };
        assert_eq!(
            find("calls_total", &[("function", "pay"), ("result", "ok")]),
            3.0
        );
        assert_eq!(
            find("calls_total", &[("function", "pay"), ("result", "error")]),
            1.0
        );
        assert_eq!(find("queue_depth", &[("queue", "a \"b\"\\\nc")]), -2.5);
        assert_eq!(find("target_info", &[("service_name", "shop")]), 1.0);
        let get = |le: &str| find("latency_seconds_bucket", &[("method", "GET"), ("le", le)]);
        // Bounds as the text format writes them: `1` for 1.0, 1e21 in full.
        let huge = "1000000000000000000000";
        assert_eq!(
            [get("0.25"), get("1"), get(huge), get("+Inf")],
            [2.0, 3.0, 3.0, 4.0]
        );
        assert_eq!(find("latency_seconds_sum", &[("method", "PUT")]), 4.5);
        assert_eq!(find("latency_seconds_count", &[("method", "PUT")]), 1.0);
        assert_eq!(find("native_seconds_bucket", &[("le", "+Inf")]), 3.0);
        assert_eq!(find("native_seconds_sum", &[]), 0.5);
        assert_eq!(find("native_seconds_count", &[]), 3.0);
        assert_eq!(find("rpc_seconds", &[("quantile", "0.99")]), 0.9);
        assert_eq!(find("rpc_seconds_count", &[]), 7.0);
        assert!(samples.iter().all(|(name, _, _)| name != "empty_total"));
        // 2 counters, a gauge, 2 × 6 of the classic histogram, 3 native, 4 summary, info.
        assert_eq!(samples.len(), 2 + 1 + 12 + 3 + 4 + 1);
    }

    /// Each sample written back as a line of the text format is the line the text
    /// renderer wrote, in the same order: the samples are the exposition's.
    #[test]
    fn the_samples_are_the_sample_lines_of_the_text_exposition() {
        let snapshot = every_kind();
        let mut written = String::new();
        for_each_sample(&snapshot, |sample| {
            written.push_str(&sample.name());
            let mut labels = sample.labels().peekable();
            if labels.peek().is_some() {
                written.push('{');
                for (at, (name, value)) in labels.enumerate() {
                    if at > 0 {
                        written.push(',');
                    }
                    written.push_str(name);
                    written.push_str("=\"");
                    escape_label_value(value, &mut written);
                    written.push('"');
                }
                written.push('}');
            }
            written.push(' ');
            write_float(&mut written, sample.value);
            written.push('\n');
        });
        let rendered = String::from_utf8(Format::Text.render(&snapshot)).unwrap();
        let sample_lines: String = rendered
            .split_inclusive('\n')
            .filter(|line| !line.starts_with('#'))
            .collect();
        assert_eq!(written, sample_lines);
    }
}
