//! Collectors of the application, registered in [`registry`](super::registry),
//! converted into the model once per snapshot: the only code in the crate that reads
//! `prometheus` protos.
//!
//! The accessors of `prometheus::proto` differ with that crate's `protobuf` feature
//! (which an application's own `prometheus` dependency may turn on), while its text
//! encoder writes the same text either way: each family is encoded alone and read
//! back here, so that a family the encoder refuses is left out (logged and counted in
//! `monitor_exposition_errors_total`) and every other is kept. Timestamps a collector
//! sets on its samples are dropped (Prometheus' own scrape time is used).

use std::collections::HashSet;
use std::sync::Mutex;

use prometheus::TextEncoder;
use prometheus::proto::MetricFamily;

use super::error::RegistrationError;
use super::model::{Family, Histogram, Kind, Labels, Series, Summary, Value};
use super::own_figures::exposition_errors;
use super::registry::{REGISTRY, report};
use super::sync::ignore_poison;

/// Names of claimed families a collector of the application also produced, reported
/// once each.
static REPORTED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// The families of the application's collectors, except those whose name a part of
/// the runtime claimed (`claimed`), which are reported once and left out. Families
/// the encoder refuses are logged, and counted when `exposition` (a snapshot for an
/// exposition, not for another reader).
pub(super) fn collect_foreign(claimed: impl Fn(&str) -> bool, exposition: bool) -> Vec<Family> {
    let gathered = REGISTRY.gather();
    if gathered.is_empty() {
        return Vec::new();
    }
    let mut families = Vec::with_capacity(gathered.len());
    let mut refused = Vec::new();
    for family in convert(&gathered, &mut refused) {
        if claimed(&family.name) {
            clash(&family.name);
        } else {
            families.push(family);
        }
    }
    if exposition {
        for _ in &refused {
            exposition_errors().inc();
        }
    }
    log_refused(refused);
    families
}

/// Converts families a `prometheus` collector gave: the one conversion of protos
/// into the model. Families the encoder refuses are counted and logged.
#[allow(
    dead_code,
    reason = "used by the parts that wrap a prometheus collector"
)]
pub(crate) fn convert_families(gathered: &[MetricFamily]) -> Vec<Family> {
    let mut refused = Vec::new();
    let families = convert(gathered, &mut refused);
    for _ in &refused {
        exposition_errors().inc();
    }
    log_refused(refused);
    families
}

fn convert(
    gathered: &[MetricFamily],
    refused: &mut Vec<(String, prometheus::Error)>,
) -> Vec<Family> {
    let encoder = TextEncoder::new();
    let mut text = String::new();
    let mut families = Vec::with_capacity(gathered.len());
    for family in gathered {
        text.clear();
        if let Err(error) = encoder.encode_utf8(std::slice::from_ref(family), &mut text) {
            refused.push((family.name().to_owned(), error));
            continue;
        }
        if let Some(family) = read_family(&text) {
            families.push(family);
        }
    }
    families
}

fn log_refused(refused: Vec<(String, prometheus::Error)>) {
    for (family, error) in refused {
        tracing::error!(
            %error,
            family,
            "monitor: a metric family was left out of the exposition"
        );
    }
}

/// The name and constant labels of each family a collector describes.
pub(super) fn describe(
    collector: &dyn prometheus::core::Collector,
) -> Vec<(String, Vec<(String, String)>)> {
    collector
        .desc()
        .iter()
        .map(|desc| {
            let labels = desc
                .const_label_pairs
                .iter()
                .map(|pair| (pair.name().to_owned(), pair.value().to_owned()))
                .collect();
            (desc.fq_name.clone(), labels)
        })
        .collect()
}

/// Reports, once per name, a family of the application that bears a name of the
/// runtime's.
fn clash(name: &str) {
    let mut reported = ignore_poison(REPORTED.lock());
    if !reported
        .get_or_insert_with(HashSet::new)
        .insert(name.to_owned())
    {
        return;
    }
    drop(reported);
    let (with, registered_at) = super::source::owner_of(name)
        .unwrap_or_else(|| ("a part of the runtime".to_owned(), "start-up".to_owned()));
    report(RegistrationError::Conflict {
        metric: name.to_owned(),
        location: "`monitor_runtime::registry()` (a collector of the application)".to_owned(),
        with,
        registered_at,
        reason: "a collector of the application produced a family of that name; \
                 it is left out of the exposition"
            .to_owned(),
    });
}

/// Reads one family as the text encoder wrote it.
fn read_family(text: &str) -> Option<Family> {
    let mut name = None;
    let mut help = String::new();
    let mut kind = Kind::Untyped;
    let mut lines = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (family, text) = rest.split_once(' ').unwrap_or((rest, ""));
            name = Some(family.to_owned());
            help = unescape_help(text);
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (family, text) = rest.split_once(' ')?;
            name = Some(family.to_owned());
            kind = match text {
                "counter" => Kind::Counter,
                "gauge" => Kind::Gauge,
                "histogram" => Kind::Histogram,
                "summary" => Kind::Summary,
                _ => Kind::Untyped,
            };
        } else if !line.starts_with('#') && !line.is_empty() {
            lines.push(Sample::parse(line)?);
        }
    }
    let name = name?;
    let mut family = Family::new(name.clone(), help, kind);
    match kind {
        Kind::Histogram => family.series = histograms(&name, lines),
        Kind::Summary => family.series = summaries(&name, lines),
        _ => {
            for sample in lines {
                let value = match kind {
                    Kind::Counter => Value::counter(sample.value),
                    Kind::Gauge => Value::Gauge(sample.value),
                    _ => Value::Untyped(sample.value),
                };
                family.push(Labels::new(sample.labels), value);
            }
        }
    }
    Some(family)
}

/// The series of a histogram family: its `_bucket`, `_sum` and `_count` lines
/// grouped by their labels other than `le`.
fn histograms(name: &str, samples: Vec<Sample>) -> Vec<Series> {
    let mut series: Vec<(Labels, Histogram)> = Vec::new();
    for mut sample in samples {
        let suffix = sample.name.strip_prefix(name).unwrap_or_default();
        let bound = take_label(&mut sample.labels, "le");
        let labels = Labels::new(sample.labels);
        let at = match series.iter().position(|(known, _)| *known == labels) {
            Some(at) => at,
            None => {
                series.push((labels, Histogram::default()));
                series.len() - 1
            }
        };
        let histogram = &mut series[at].1;
        match (suffix, bound) {
            ("_bucket", Some(bound)) => {
                let bound = parse_value(&bound).unwrap_or(f64::INFINITY);
                if bound.is_finite() {
                    histogram.bounds.to_mut().push(bound);
                    histogram.cumulative.push(sample.value as u64);
                }
            }
            ("_sum", _) => histogram.sum = sample.value,
            ("_count", _) => histogram.count = sample.value as u64,
            _ => {}
        }
    }
    series
        .into_iter()
        .map(|(labels, histogram)| Series {
            labels,
            value: Value::Histogram(histogram),
        })
        .collect()
}

/// The series of a summary family: its quantile lines, `_sum` and `_count`.
fn summaries(name: &str, samples: Vec<Sample>) -> Vec<Series> {
    let mut series: Vec<(Labels, Summary)> = Vec::new();
    for mut sample in samples {
        let suffix = sample.name.strip_prefix(name).unwrap_or_default();
        let quantile = take_label(&mut sample.labels, "quantile");
        let labels = Labels::new(sample.labels);
        let at = match series.iter().position(|(known, _)| *known == labels) {
            Some(at) => at,
            None => {
                series.push((labels, Summary::default()));
                series.len() - 1
            }
        };
        let summary = &mut series[at].1;
        match (suffix, quantile) {
            ("", Some(quantile)) => {
                if let Some(quantile) = parse_value(&quantile) {
                    summary.quantiles.push((quantile, sample.value));
                }
            }
            ("_sum", _) => summary.sum = sample.value,
            ("_count", _) => summary.count = sample.value as u64,
            _ => {}
        }
    }
    series
        .into_iter()
        .map(|(labels, summary)| Series {
            labels,
            value: Value::Summary(summary),
        })
        .collect()
}

fn take_label(labels: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let at = labels.iter().position(|(key, _)| key == name)?;
    Some(labels.remove(at).1)
}

/// One sample line: `name{key="value",...} value [timestamp]`.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

impl Sample {
    fn parse(line: &str) -> Option<Self> {
        let name_end = line.find(['{', ' '])?;
        let name = line[..name_end].to_owned();
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(mut inner) = rest.strip_prefix('{') {
            loop {
                inner = inner.trim_start_matches(',');
                if let Some(after) = inner.strip_prefix('}') {
                    rest = after;
                    break;
                }
                let (key, after_key) = inner.split_once("=\"")?;
                let mut value = String::new();
                let mut chars = after_key.char_indices();
                let end = loop {
                    match chars.next()? {
                        (index, '"') => break index,
                        (_, '\\') => match chars.next()?.1 {
                            'n' => value.push('\n'),
                            other => value.push(other),
                        },
                        (_, other) => value.push(other),
                    }
                };
                labels.push((key.to_owned(), value));
                inner = &after_key[end + 1..];
            }
        }
        let value = parse_value(rest.split_whitespace().next()?)?;
        Some(Self {
            name,
            labels,
            value,
        })
    }
}

/// A sample value or a bound: a number, `+Inf`, `-Inf` or `NaN`.
fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        other => other.parse().ok(),
    }
}

/// A help text as the encoder escapes it (`\\` and `\n`), unescaped.
fn unescape_help(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('n')) => {
                out.push('\n');
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push('\\');
                chars.next();
            }
            (c, _) => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus::{HistogramOpts, IntCounterVec, Opts, Registry};

    #[test]
    fn every_kind_of_family_reads_back() {
        let registry = Registry::new();
        let counter = IntCounterVec::new(
            Opts::new("unit_jobs_total", "Jobs,\nby \\ kind."),
            &["kind"],
        )
        .unwrap();
        counter
            .with_label_values(&["a \"quoted\"\nvalue"])
            .inc_by(3);
        registry.register(Box::new(counter)).unwrap();
        let histogram = prometheus::Histogram::with_opts(
            HistogramOpts::new("unit_wait_seconds", "Waits.").buckets(vec![0.1, 1.0]),
        )
        .unwrap();
        histogram.observe(0.05);
        histogram.observe(5.0);
        registry.register(Box::new(histogram)).unwrap();
        let families = convert_families(&registry.gather());
        assert_eq!(families.len(), 2);
        let jobs = &families[0];
        assert_eq!(jobs.name, "unit_jobs_total");
        assert_eq!(jobs.help, "Jobs,\nby \\ kind.");
        assert_eq!(jobs.kind, Kind::Counter);
        assert_eq!(
            jobs.series[0].labels.get("kind"),
            Some("a \"quoted\"\nvalue")
        );
        assert_eq!(jobs.series[0].value.scalar(), 3.0);
        let waits = &families[1];
        assert_eq!(waits.unit.as_deref(), Some("seconds"));
        let Value::Histogram(histogram) = &waits.series[0].value else {
            panic!("a histogram");
        };
        assert_eq!(histogram.bounds.as_ref(), [0.1, 1.0]);
        assert_eq!(histogram.cumulative, [1, 1]);
        assert_eq!(histogram.count, 2);
        assert_eq!(histogram.sum, 5.05);
    }
}
