//! Readers of the exposition formats other than the text format, written apart from
//! the runtime's writers so that a test compares two independent readings: the
//! protobuf messages of `prometheus/client_model`'s `metrics.proto` (the fields the
//! tests read, native histograms included), the sample lines of OpenMetrics with
//! their exemplars, and the strict OpenMetrics parser of the Python client
//! (`prometheus_client`, which `.ci/run` installs with pip).

use std::io::Write;
use std::process::{Command, Stdio};

use prost::Message;

use crate::Sample;

/// One `io.prometheus.client.MetricFamily`.
#[derive(Clone, PartialEq, Message)]
pub struct MetricFamily {
    /// Its name.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// Its help.
    #[prost(string, optional, tag = "2")]
    pub help: Option<String>,
    /// `COUNTER` 0, `GAUGE` 1, `SUMMARY` 2, `UNTYPED` 3, `HISTOGRAM` 4.
    #[prost(int32, optional, tag = "3")]
    pub r#type: Option<i32>,
    /// Its series.
    #[prost(message, repeated, tag = "4")]
    pub metric: Vec<Metric>,
    /// Its unit.
    #[prost(string, optional, tag = "5")]
    pub unit: Option<String>,
}

/// One series.
#[derive(Clone, PartialEq, Message)]
pub struct Metric {
    /// Its labels.
    #[prost(message, repeated, tag = "1")]
    pub label: Vec<LabelPair>,
    /// A gauge's value.
    #[prost(message, optional, tag = "2")]
    pub gauge: Option<Value>,
    /// A counter's value.
    #[prost(message, optional, tag = "3")]
    pub counter: Option<Counter>,
    /// A summary.
    #[prost(message, optional, tag = "4")]
    pub summary: Option<Summary>,
    /// An untyped value.
    #[prost(message, optional, tag = "5")]
    pub untyped: Option<Value>,
    /// A histogram.
    #[prost(message, optional, tag = "7")]
    pub histogram: Option<Histogram>,
}

/// A label.
#[derive(Clone, PartialEq, Message)]
pub struct LabelPair {
    /// Name.
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// Value.
    #[prost(string, optional, tag = "2")]
    pub value: Option<String>,
}

/// A gauge's or untyped value.
#[derive(Clone, PartialEq, Message)]
pub struct Value {
    /// The value.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
}

/// A counter.
#[derive(Clone, PartialEq, Message)]
pub struct Counter {
    /// The value.
    #[prost(double, optional, tag = "1")]
    pub value: Option<f64>,
    /// Its exemplar.
    #[prost(message, optional, tag = "2")]
    pub exemplar: Option<Exemplar>,
}

/// A summary.
#[derive(Clone, PartialEq, Message)]
pub struct Summary {
    /// Count.
    #[prost(uint64, optional, tag = "1")]
    pub sample_count: Option<u64>,
    /// Sum.
    #[prost(double, optional, tag = "2")]
    pub sample_sum: Option<f64>,
}

/// A histogram, classic and native.
#[derive(Clone, PartialEq, Message)]
pub struct Histogram {
    /// Count.
    #[prost(uint64, optional, tag = "1")]
    pub sample_count: Option<u64>,
    /// Sum.
    #[prost(double, optional, tag = "2")]
    pub sample_sum: Option<f64>,
    /// Classic buckets.
    #[prost(message, repeated, tag = "3")]
    pub bucket: Vec<Bucket>,
    /// Native schema.
    #[prost(sint32, optional, tag = "5")]
    pub schema: Option<i32>,
    /// Native zero threshold.
    #[prost(double, optional, tag = "6")]
    pub zero_threshold: Option<f64>,
    /// Native zero bucket.
    #[prost(uint64, optional, tag = "7")]
    pub zero_count: Option<u64>,
    /// Native negative spans.
    #[prost(message, repeated, tag = "9")]
    pub negative_span: Vec<BucketSpan>,
    /// Native negative deltas.
    #[prost(sint64, repeated, tag = "10")]
    pub negative_delta: Vec<i64>,
    /// Native positive spans.
    #[prost(message, repeated, tag = "12")]
    pub positive_span: Vec<BucketSpan>,
    /// Native positive deltas.
    #[prost(sint64, repeated, tag = "13")]
    pub positive_delta: Vec<i64>,
}

impl Histogram {
    /// The positive native buckets: `(index, count)`.
    pub fn native_buckets(&self) -> Vec<(i32, u64)> {
        let mut buckets = Vec::new();
        let mut deltas = self.positive_delta.iter();
        let mut index = 0;
        let mut count = 0_i64;
        for (at, span) in self.positive_span.iter().enumerate() {
            let offset = span.offset.unwrap_or(0);
            index = if at == 0 { offset } else { index + offset };
            for _ in 0..span.length.unwrap_or(0) {
                count += deltas.next().copied().unwrap_or(0);
                if count > 0 {
                    buckets.push((index, count as u64));
                }
                index += 1;
            }
        }
        buckets
    }
}

/// A classic bucket.
#[derive(Clone, PartialEq, Message)]
pub struct Bucket {
    /// Cumulative count.
    #[prost(uint64, optional, tag = "1")]
    pub cumulative_count: Option<u64>,
    /// Upper bound.
    #[prost(double, optional, tag = "2")]
    pub upper_bound: Option<f64>,
    /// Its exemplar.
    #[prost(message, optional, tag = "3")]
    pub exemplar: Option<Exemplar>,
}

/// A span of native buckets.
#[derive(Clone, PartialEq, Message)]
pub struct BucketSpan {
    /// Gap from the previous span (the first: the first index).
    #[prost(sint32, optional, tag = "1")]
    pub offset: Option<i32>,
    /// Buckets in the span.
    #[prost(uint32, optional, tag = "2")]
    pub length: Option<u32>,
}

/// An exemplar.
#[derive(Clone, PartialEq, Message)]
pub struct Exemplar {
    /// Its labels.
    #[prost(message, repeated, tag = "1")]
    pub label: Vec<LabelPair>,
    /// Its value.
    #[prost(double, optional, tag = "2")]
    pub value: Option<f64>,
}

impl Exemplar {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.label
            .iter()
            .find(|pair| pair.name.as_deref() == Some(name))
            .and_then(|pair| pair.value.as_deref())
    }
}

/// Every length-delimited family of a protobuf exposition.
///
/// # Panics
///
/// If the bytes are not such messages.
pub fn protobuf_families(mut bytes: &[u8]) -> Vec<MetricFamily> {
    let mut families = Vec::new();
    while !bytes.is_empty() {
        families.push(
            MetricFamily::decode_length_delimited(&mut bytes).expect("a length-delimited family"),
        );
    }
    families
}

/// The samples a protobuf exposition stands for, named as the text format names
/// them (histogram buckets `_bucket` with `le` as Rust writes the bound, `_sum`,
/// `_count`), so that they compare with the samples of the text format.
pub fn protobuf_samples(families: &[MetricFamily]) -> Vec<Sample> {
    let mut samples = Vec::new();
    for family in families {
        let name = family.name.clone().unwrap_or_default();
        for metric in &family.metric {
            let labels: Vec<(String, String)> = metric
                .label
                .iter()
                .map(|pair| {
                    (
                        pair.name.clone().unwrap_or_default(),
                        pair.value.clone().unwrap_or_default(),
                    )
                })
                .collect();
            let sample = |suffix: &str, extra: Option<(&str, String)>, value: f64| {
                let mut labels = labels.clone();
                labels.extend(extra.map(|(key, value)| (key.to_owned(), value)));
                Sample {
                    name: format!("{name}{suffix}"),
                    labels,
                    value,
                }
            };
            if let Some(counter) = &metric.counter {
                samples.push(sample("", None, counter.value.unwrap_or_default()));
            }
            if let Some(gauge) = metric.gauge.as_ref().or(metric.untyped.as_ref()) {
                samples.push(sample("", None, gauge.value.unwrap_or_default()));
            }
            if let Some(histogram) = &metric.histogram {
                let count = histogram.sample_count.unwrap_or_default();
                for bucket in &histogram.bucket {
                    let bound = bucket.upper_bound.unwrap_or(f64::INFINITY);
                    if bound.is_infinite() {
                        continue;
                    }
                    samples.push(sample(
                        "_bucket",
                        Some(("le", bound.to_string())),
                        bucket.cumulative_count.unwrap_or_default() as f64,
                    ));
                }
                samples.push(sample(
                    "_bucket",
                    Some(("le", "+Inf".to_owned())),
                    count as f64,
                ));
                samples.push(sample(
                    "_sum",
                    None,
                    histogram.sample_sum.unwrap_or_default(),
                ));
                samples.push(sample("_count", None, count as f64));
            }
        }
    }
    samples
}

/// The labels of an exemplar.
pub type ExemplarLabels = Vec<(String, String)>;

/// The samples of an OpenMetrics exposition, named as the text format names them
/// (OpenMetrics' sample names are those of the text format), each with the labels
/// of its exemplar, if any.
pub fn openmetrics_samples(text: &str) -> Vec<(Sample, Option<ExemplarLabels>)> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (sample, exemplar) = match line.split_once(" # ") {
                Some((sample, exemplar)) => (sample, Some(exemplar)),
                None => (line, None),
            };
            let mut parsed = crate::parse_samples(sample).pop()?;
            // `le` in OpenMetrics' canonical form (`1.0`) read as the text format
            // writes it (`1`).
            for (key, value) in &mut parsed.labels {
                if key == "le"
                    && let Ok(bound) = value.parse::<f64>()
                    && bound.is_finite()
                {
                    *value = bound.to_string();
                }
            }
            let exemplar = exemplar.and_then(|text| {
                let labels = text.strip_prefix('{')?.split_once('}')?.0;
                Some(
                    crate::parse_samples(&format!("x{{{labels}}} 0"))
                        .pop()?
                        .labels,
                )
            });
            Some((parsed, exemplar))
        })
        .collect()
}

/// Runs the Python client's strict OpenMetrics parser over `text`: `Ok` when it
/// reads it all, else its complaint. `None` when Python or the client library is
/// missing outside CI (in CI, where `.ci/run` installs them, that panics).
pub fn check_openmetrics(text: &str) -> Option<Result<usize, String>> {
    const SCRIPT: &str = "import sys\n\
        from prometheus_client.openmetrics.parser import text_string_to_metric_families\n\
        text = sys.stdin.read()\n\
        try:\n\
        \x20   families = list(text_string_to_metric_families(text))\n\
        except Exception as error:\n\
        \x20   print(f'refused: {error}')\n\
        \x20   sys.exit(1)\n\
        print(len(families))\n";
    if !crate::tools::require("python3") {
        return None;
    }
    let probe = Command::new("python3")
        .args(["-c", "import prometheus_client"])
        .output()
        .expect("python3 runs");
    if !probe.status.success() {
        let message = "the Python package `prometheus_client` is missing: \
                       `pip install prometheus-client==0.21.1` (as .ci/run does)";
        assert!(!crate::tools::in_ci(), "{message}");
        eprintln!("\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n");
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(text.as_bytes())
        .expect("the exposition is written to the parser");
    let output = child.wait_with_output().expect("the parser ends");
    let printed = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Some(if output.status.success() {
        printed
            .parse()
            .map_err(|_| format!("unexpected answer: {printed}"))
    } else {
        Err(format!(
            "{printed}{}",
            String::from_utf8_lossy(&output.stderr)
        ))
    })
}
