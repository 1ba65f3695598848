//! OpenMetrics 1.0 text: `# TYPE`, `# UNIT` and `# HELP` per family (a counter's
//! family named without its `_total`, an info family without its `_info`), `le` and
//! `quantile` values in canonical form, exemplars after the samples they belong to,
//! and `# EOF`.

use std::fmt::Write as _;

use super::text::{Lines, escape_label_value, write_float, write_labels};
use crate::core::model::{Exemplar, Family, Histogram, Kind, Snapshot, Value};

use crate::core::model::EXEMPLAR_MAX_CHARACTERS;

/// The OpenMetrics exposition of `snapshot`.
pub(super) fn render(snapshot: &Snapshot) -> String {
    let series: usize = snapshot
        .families
        .iter()
        .map(|family| family.series.len())
        .sum();
    let mut out = String::with_capacity(series * 100 + 4096);
    let mut writer = Writer::default();
    for family in &snapshot.families {
        writer.family(&mut out, family);
    }
    out.push_str("# EOF\n");
    out
}

#[derive(Default)]
struct Writer {
    lines: Lines,
}

/// The name OpenMetrics gives a family of the text format's `name`.
fn family_name(name: &str, kind: Kind) -> &str {
    match kind {
        Kind::Counter => name.strip_suffix("_total").unwrap_or(name),
        Kind::Info => name.strip_suffix("_info").unwrap_or(name),
        _ => name,
    }
}

impl Writer {
    fn family(&mut self, out: &mut String, family: &Family) {
        if family.series.is_empty() {
            return;
        }
        let name = family_name(&family.name, family.kind);
        let kind = match family.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
            Kind::Summary => "summary",
            Kind::Info => "info",
            Kind::Untyped => "unknown",
        };
        for part in ["# TYPE ", name, " ", kind, "\n"] {
            out.push_str(part);
        }
        if let Some(unit) = family.unit.as_deref() {
            // OpenMetrics wants the unit as the end of the family's name.
            if name.len() > unit.len()
                && name.ends_with(unit)
                && name[..name.len() - unit.len()].ends_with('_')
            {
                for part in ["# UNIT ", name, " ", unit, "\n"] {
                    out.push_str(part);
                }
            }
        }
        if !family.help.is_empty() {
            out.push_str("# HELP ");
            out.push_str(name);
            out.push(' ');
            escape_help(&family.help, out);
            out.push('\n');
        }
        for series in &family.series {
            self.lines.set_labels(&series.labels);
            match &series.value {
                Value::Counter(counter) => {
                    self.lines.start(out, name, "_total", None);
                    write_float(out, counter.value);
                    if let Some(exemplar) = &counter.exemplar {
                        write_exemplar(out, exemplar);
                    }
                    out.push('\n');
                }
                Value::Gauge(value) | Value::Untyped(value) => {
                    self.lines.start(out, name, "", None);
                    write_float(out, *value);
                    out.push('\n');
                }
                Value::Info => {
                    self.lines.start(out, name, "_info", None);
                    out.push_str("1\n");
                }
                Value::Histogram(histogram) => self.histogram(out, name, histogram),
                Value::Summary(summary) => {
                    let mut text = String::new();
                    for (quantile, value) in &summary.quantiles {
                        text.clear();
                        write_canonical(&mut text, *quantile);
                        self.lines.start(out, name, "", Some(("quantile", &text)));
                        write_float(out, *value);
                        out.push('\n');
                    }
                    self.lines.start(out, name, "_sum", None);
                    write_float(out, summary.sum);
                    out.push('\n');
                    self.lines.start(out, name, "_count", None);
                    write_float(out, summary.count as f64);
                    out.push('\n');
                }
            }
        }
    }

    fn histogram(&mut self, out: &mut String, name: &str, histogram: &Histogram) {
        self.lines.set_bounds(&histogram.bounds, write_canonical);
        let mut exemplars = histogram.exemplars.iter().peekable();
        let buckets = self.lines.bound_texts.len();
        for at in 0..=buckets {
            let bound = self
                .lines
                .bound_texts
                .get(at)
                .map_or("+Inf", String::as_str);
            self.lines.start(out, name, "_bucket", Some(("le", bound)));
            out.push_str(itoa::Buffer::new().format(histogram.cumulative_count(at)));
            while let Some((_, exemplar)) = exemplars.next_if(|(bucket, _)| *bucket <= at) {
                // One per bucket: the last of any given for it.
                if exemplars.peek().is_none_or(|(bucket, _)| *bucket > at) {
                    write_exemplar(out, exemplar);
                }
            }
            out.push('\n');
        }
        self.lines.start(out, name, "_sum", None);
        write_float(out, histogram.sum);
        out.push('\n');
        self.lines.start(out, name, "_count", None);
        out.push_str(itoa::Buffer::new().format(histogram.count));
        out.push('\n');
    }
}

/// ` # {labels} value timestamp`, when the labels fit OpenMetrics' limit (the
/// runtime drops longer ones before they get here; a collector's are checked here).
fn write_exemplar(out: &mut String, exemplar: &Exemplar) {
    if exemplar.labels.characters() > EXEMPLAR_MAX_CHARACTERS {
        return;
    }
    let mut labels = String::new();
    write_labels(&mut labels, &exemplar.labels);
    out.push_str(" # {");
    out.push_str(&labels);
    out.push_str("} ");
    write_float(out, exemplar.value);
    if let Some(timestamp) = exemplar.timestamp {
        out.push(' ');
        let _ = write!(out, "{timestamp:.3}");
    }
}

/// A help text with `\`, `"` and line feeds escaped, as OpenMetrics escapes it.
fn escape_help(help: &str, out: &mut String) {
    escape_label_value(help, out);
}

/// A number in the canonical form OpenMetrics asks of `le` and `quantile` values:
/// what Go's `strconv.FormatFloat(f, 'g', -1, 64)` writes, with `.0` after a whole
/// number (`1.0`, `0.25`, `1e-05`, `1e+06`).
pub(crate) fn write_canonical(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("NaN");
        return;
    }
    if value.is_infinite() {
        out.push_str(if value > 0.0 { "+Inf" } else { "-Inf" });
        return;
    }
    if value == 0.0 {
        out.push_str("0.0");
        return;
    }
    // The shortest digits that read back as `value`, and the decimal exponent.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if value < 0.0 {
        out.push('-');
    }
    if !(-4..6).contains(&exponent) {
        out.push_str(mantissa);
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let _ = write!(out, "{:02}", exponent.abs());
    } else {
        let _ = write!(out, "{}", value.abs());
        if value.fract() == 0.0 {
            out.push_str(".0");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Counter, Histogram, Labels};

    #[test]
    fn canonical_numbers_are_those_of_go_and_python_clients() {
        let cases = [
            (1.0, "1.0"),
            (0.25, "0.25"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000025, "2.5e-05"),
            (100000.0, "100000.0"),
            (1000000.0, "1e+06"),
            (2500000.0, "2.5e+06"),
            (0.0, "0.0"),
            (10.0, "10.0"),
            (1e21, "1e+21"),
            (f64::INFINITY, "+Inf"),
        ];
        for (value, expected) in cases {
            let mut out = String::new();
            write_canonical(&mut out, value);
            assert_eq!(out, expected, "{value}");
        }
    }

    #[test]
    fn counters_info_and_exemplars_are_written_as_openmetrics_says() {
        let mut calls = Family::new("jobs_total", "Jobs.", Kind::Counter);
        calls.push(
            Labels::new([("kind", "a")]),
            Value::Counter(Counter {
                value: 3.0,
                exemplar: Some(Exemplar {
                    labels: Labels::new([("trace_id", "abc")]),
                    value: 1.0,
                    timestamp: Some(1_700_000_000.5),
                }),
            }),
        );
        let mut info = Family::new("target_info", "Target.", Kind::Info);
        info.push(Labels::new([("service_name", "shop")]), Value::Info);
        let mut waits = Family::new("wait_seconds", "Waits.", Kind::Histogram);
        let mut histogram = Histogram::classic(vec![0.5, 1.0], &[1, 0, 1], 2.2);
        histogram.exemplars.push((
            2,
            Exemplar {
                labels: Labels::new([("trace_id", "def")]),
                value: 2.0,
                timestamp: None,
            },
        ));
        waits.push(Labels::empty(), Value::Histogram(histogram));
        let text = render(&Snapshot {
            families: vec![calls, info, waits],
        });
        assert_eq!(
            text,
            "# TYPE jobs counter\n# HELP jobs Jobs.\n\
             jobs_total{kind=\"a\"} 3 # {trace_id=\"abc\"} 1 1700000000.500\n\
             # TYPE target info\n# HELP target Target.\n\
             target_info{service_name=\"shop\"} 1\n\
             # TYPE wait_seconds histogram\n# UNIT wait_seconds seconds\n# HELP wait_seconds Waits.\n\
             wait_seconds_bucket{le=\"0.5\"} 1\nwait_seconds_bucket{le=\"1.0\"} 1\n\
             wait_seconds_bucket{le=\"+Inf\"} 2 # {trace_id=\"def\"} 2\n\
             wait_seconds_sum 2.2\nwait_seconds_count 2\n# EOF\n"
        );
    }
}
