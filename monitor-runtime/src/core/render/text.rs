//! The Prometheus text format 0.0.4, written as `prometheus`' text encoder writes
//! it (the same lines, escapes and numbers), except that infinities and NaN are
//! written `+Inf`, `-Inf` and `NaN` as the format defines them.

use std::fmt::Write as _;

use crate::core::model::{Family, Histogram, Kind, Labels, Snapshot, Summary, Value};

/// The text exposition of `snapshot`.
pub(super) fn render(snapshot: &Snapshot) -> String {
    let series: usize = snapshot
        .families
        .iter()
        .map(|family| family.series.len())
        .sum();
    let mut out = String::with_capacity(series * 96 + 4096);
    let mut writer = Writer::default();
    for family in &snapshot.families {
        writer.family(&mut out, family);
    }
    out
}

/// What the writing of one exposition keeps from series to series.
#[derive(Default)]
struct Writer {
    lines: Lines,
}

/// What a writer of a text format (this one, OpenMetrics) keeps from series to
/// series: the labels of the series being written, and the text of the last
/// histogram's bounds.
#[derive(Default)]
pub(super) struct Lines {
    /// The labels of the series being written, escaped, without braces.
    labels: String,
    /// The bounds of the last histogram written, and their text.
    bounds: Vec<f64>,
    pub(super) bound_texts: Vec<String>,
}

impl Lines {
    /// Takes `labels` as those of the series written next.
    pub(super) fn set_labels(&mut self, labels: &Labels) {
        write_labels(&mut self.labels, labels);
    }

    /// `name suffix{labels,extra} `: the start of a sample line.
    #[inline]
    pub(super) fn start(
        &self,
        out: &mut String,
        name: &str,
        suffix: &str,
        extra: Option<(&str, &str)>,
    ) {
        out.push_str(name);
        out.push_str(suffix);
        if !self.labels.is_empty() || extra.is_some() {
            out.push('{');
            out.push_str(&self.labels);
            if let Some((label, value)) = extra {
                if !self.labels.is_empty() {
                    out.push(',');
                }
                out.push_str(label);
                out.push_str("=\"");
                out.push_str(value);
                out.push('"');
            }
            out.push('}');
        }
        out.push(' ');
    }

    /// Makes [`bound_texts`](Self::bound_texts) those of `bounds`, each written by
    /// `write` (kept while the bounds repeat, as they do from series to series).
    pub(super) fn set_bounds(&mut self, bounds: &[f64], write: fn(&mut String, f64)) {
        if self.bounds.as_slice() != bounds {
            self.bounds.clear();
            self.bounds.extend_from_slice(bounds);
            self.bound_texts.clear();
            for bound in bounds {
                let mut text = String::new();
                write(&mut text, *bound);
                self.bound_texts.push(text);
            }
        }
    }
}

/// `labels` as a sample line writes them, escaped, without braces, into `out`.
pub(super) fn write_labels(out: &mut String, labels: &Labels) {
    out.clear();
    for (at, (name, value)) in labels.iter().enumerate() {
        if at > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push_str("=\"");
        escape_label_value(value, out);
        out.push('"');
    }
}

impl Writer {
    fn family(&mut self, out: &mut String, family: &Family) {
        if family.series.is_empty() {
            return;
        }
        let name = family.name.as_ref();
        if !family.help.is_empty() {
            out.push_str("# HELP ");
            out.push_str(name);
            out.push(' ');
            escape_help(&family.help, out);
            out.push('\n');
        }
        out.push_str("# TYPE ");
        out.push_str(name);
        out.push(' ');
        out.push_str(family.kind.as_text());
        out.push('\n');
        for series in &family.series {
            self.lines.set_labels(&series.labels);
            match &series.value {
                Value::Counter(counter) => self.sample(out, name, "", None, counter.value),
                Value::Gauge(value) | Value::Untyped(value) => {
                    self.sample(out, name, "", None, *value);
                }
                Value::Info => self.sample(out, name, "", None, 1.0),
                Value::Histogram(histogram) => self.histogram(out, name, histogram),
                Value::Summary(summary) => self.summary(out, name, summary),
            }
        }
        debug_assert!(family.series.iter().all(|series| {
            series.value.kind() == family.kind
                || (family.kind == Kind::Gauge && series.value.kind() == Kind::Info)
        }));
    }

    fn sample(
        &self,
        out: &mut String,
        name: &str,
        suffix: &str,
        extra: Option<(&str, &str)>,
        value: f64,
    ) {
        self.lines.start(out, name, suffix, extra);
        write_float(out, value);
        out.push('\n');
    }

    fn count(
        &self,
        out: &mut String,
        name: &str,
        suffix: &str,
        extra: Option<(&str, &str)>,
        count: u64,
    ) {
        self.lines.start(out, name, suffix, extra);
        write_count(out, count);
        out.push('\n');
    }

    fn histogram(&mut self, out: &mut String, name: &str, histogram: &Histogram) {
        self.lines.set_bounds(&histogram.bounds, write_float);
        for (at, text) in self.lines.bound_texts.iter().enumerate() {
            let count = histogram.cumulative_count(at);
            self.count(out, name, "_bucket", Some(("le", text)), count);
        }
        self.count(out, name, "_bucket", Some(("le", "+Inf")), histogram.count);
        self.sample(out, name, "_sum", None, histogram.sum);
        self.count(out, name, "_count", None, histogram.count);
    }

    fn summary(&self, out: &mut String, name: &str, summary: &Summary) {
        let mut quantile = String::new();
        for (q, value) in &summary.quantiles {
            quantile.clear();
            write_float(&mut quantile, *q);
            self.sample(out, name, "", Some(("quantile", &quantile)), *value);
        }
        self.sample(out, name, "_sum", None, summary.sum);
        self.count(out, name, "_count", None, summary.count);
    }
}

/// A count, as the encoder writes the `f64` it becomes.
#[inline]
fn write_count(out: &mut String, count: u64) {
    if count < 1 << 53 {
        out.push_str(itoa::Buffer::new().format(count));
    } else {
        write_float(out, count as f64);
    }
}

/// A number as the encoder writes it (Rust's shortest round-trip form), with
/// `+Inf`, `-Inf` and `NaN` spelt as the format defines them.
#[inline]
pub(crate) fn write_float(out: &mut String, value: f64) {
    if value.fract() == 0.0 && value.abs() < (1_u64 << 53) as f64 {
        if value < 0.0 {
            out.push('-');
        }
        out.push_str(itoa::Buffer::new().format(value.abs() as u64));
    } else if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{value}");
    }
}

/// A label value with `\`, `"` and line feeds escaped.
#[inline]
pub(crate) fn escape_label_value(value: &str, out: &mut String) {
    if !value
        .bytes()
        .any(|byte| matches!(byte, b'\\' | b'"' | b'\n'))
    {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// A help text with `\` and line feeds escaped.
fn escape_help(help: &str, out: &mut String) {
    if !help.bytes().any(|byte| matches!(byte, b'\\' | b'\n')) {
        out.push_str(help);
        return;
    }
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Family, Histogram, Kind, Labels, Value};

    #[test]
    fn writes_what_the_encoder_writes() {
        use prometheus::{Encoder as _, HistogramOpts, IntCounterVec, Opts, Registry, TextEncoder};
        let registry = Registry::new();
        let counter =
            IntCounterVec::new(Opts::new("a_total", "Help \\ with\nlines."), &["k", "z"]).unwrap();
        counter.with_label_values(&["v\"1\\\n", "z"]).inc_by(3);
        registry.register(Box::new(counter)).unwrap();
        let histogram = prometheus::Histogram::with_opts(
            HistogramOpts::new("b_seconds", "B.").buckets(vec![0.0001, 0.5, 1.0, 2.5, 1e21]),
        )
        .unwrap();
        histogram.observe(0.3);
        histogram.observe(0.000_05);
        registry.register(Box::new(histogram)).unwrap();
        let mut expected = Vec::new();
        TextEncoder::new()
            .encode(&registry.gather(), &mut expected)
            .unwrap();

        let mut a = Family::new("a_total", "Help \\ with\nlines.", Kind::Counter);
        a.push(
            Labels::new([("z", "z"), ("k", "v\"1\\\n")]),
            Value::counter(3.0),
        );
        let mut b = Family::new("b_seconds", "B.", Kind::Histogram);
        b.push(
            Labels::empty(),
            Value::Histogram(Histogram::classic(
                vec![0.0001, 0.5, 1.0, 2.5, 1e21],
                &[1, 1, 0, 0, 0, 0],
                0.300_05,
            )),
        );
        let snapshot = Snapshot {
            families: vec![a, b],
        };
        assert_eq!(render(&snapshot), String::from_utf8(expected).unwrap());
    }

    #[test]
    fn special_numbers_are_spelt_as_the_format_says() {
        let mut out = String::new();
        for value in [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -3.0,
            0.25,
            1e300,
        ] {
            write_float(&mut out, value);
            out.push(' ');
        }
        assert_eq!(out, format!("+Inf -Inf NaN -3 0.25 {} ", 1e300));
    }
}
