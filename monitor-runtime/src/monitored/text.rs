//! The families of every monitored function, written straight as Prometheus text:
//! what the text encoder would write for the collectors of `stats`, byte for byte,
//! without building a protobuf message per series first.
//!
//! Each function's collectors stay registered, so that clashes are checked and
//! `registry().gather()` sees the series; while `render_metrics` gathers, they give
//! nothing and [`render`] writes the families instead (see `core::DirectText`).

use std::fmt::Write as _;
use std::sync::Mutex;

use super::stats::{Figure, FunctionStats};
use crate::core::{DirectText, add_direct_text, ignore_poison};

pub(super) const CALLS: &str = "function_calls_total";
pub(super) const CALLS_HELP: &str =
    "Calls of monitored functions, by result (ok or error; a panic is an error).";
pub(super) const DURATION: &str = "function_calls_duration_seconds";
pub(super) const DURATION_HELP: &str = "Duration of monitored function calls, in seconds.";
pub(super) const IN_FLIGHT: &str = "function_calls_concurrent";
pub(super) const IN_FLIGHT_HELP: &str = "Calls of monitored functions currently in progress.";
pub(super) const CANCELLED: &str = "function_calls_cancelled_total";
pub(super) const CANCELLED_HELP: &str =
    "Calls of monitored async functions whose future was dropped before completing.";
pub(super) const CANCELLED_DURATION: &str = "function_calls_cancelled_duration_seconds";
pub(super) const CANCELLED_DURATION_HELP: &str = "Time cancelled calls of monitored async \
     functions ran before their future was dropped, in seconds.";

/// The families written here, sorted by name.
static DIRECT: DirectText = DirectText {
    names: &[CANCELLED_DURATION, CANCELLED, IN_FLIGHT, DURATION, CALLS],
    render,
};

/// One function whose series are exposed.
struct Exposed {
    function: &'static str,
    module: &'static str,
    /// `function="…",module="…"`, escaped.
    labels: String,
    stats: &'static FunctionStats,
    /// The figures whose collector the registry took, one bit per [`Figure`].
    figures: u8,
    /// The bucket bounds as the encoder writes them.
    bounds: Box<[String]>,
}

struct ExposedFunctions {
    functions: Vec<Exposed>,
    /// Whether `functions` is sorted by labels, as the registry sorts series.
    sorted: bool,
}

static EXPOSED: Mutex<ExposedFunctions> = Mutex::new(ExposedFunctions {
    functions: Vec::new(),
    sorted: true,
});

fn bit(figure: Figure) -> u8 {
    1 << figure as u8
}

/// Exposes the series of a function whose collectors of `figures` were registered.
pub(super) fn expose(
    function: &'static str,
    module: &'static str,
    stats: &'static FunctionStats,
    figures: &[Figure],
) {
    let mut labels = String::with_capacity(function.len() + module.len() + 20);
    labels.push_str("function=\"");
    escape_label_value(function, &mut labels);
    labels.push_str("\",module=\"");
    escape_label_value(module, &mut labels);
    labels.push('"');
    let exposed = Exposed {
        function,
        module,
        labels,
        stats,
        figures: figures.iter().fold(0, |bits, figure| bits | bit(*figure)),
        bounds: stats.bounds().iter().map(f64::to_string).collect(),
    };
    let mut all = ignore_poison(EXPOSED.lock());
    all.functions.push(exposed);
    all.sorted = false;
    drop(all);
    add_direct_text(&DIRECT);
}

/// As the encoder escapes a label value: `\`, `"` and a line feed.
fn escape_label_value(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// A count, as the encoder writes the `f64` it becomes.
#[inline]
fn write_count(out: &mut String, count: u64) {
    // Below 2⁵³ the `f64` is the integer itself, which `Display` writes without a
    // fraction or an exponent.
    if count < 1 << 53 {
        out.push_str(itoa::Buffer::new().format(count));
    } else {
        let _ = write!(out, "{}", count as f64);
    }
}

/// One sample line: `name{labels} value`.
#[inline]
fn sample(out: &mut String, name: &str, suffix: &str, labels: &str, extra: &str) {
    out.push_str(name);
    out.push_str(suffix);
    out.push('{');
    out.push_str(labels);
    out.push_str(extra);
    out.push_str("} ");
}

fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    for part in [
        "# HELP ",
        name,
        " ",
        help,
        "\n# TYPE ",
        name,
        " ",
        kind,
        "\n",
    ] {
        out.push_str(part);
    }
}

/// Writes one family of every exposed function.
fn render(name: &str, out: &mut String) {
    let (figure, help, kind) = match name {
        CALLS => (Figure::Ok, CALLS_HELP, "counter"),
        DURATION => (Figure::Duration, DURATION_HELP, "histogram"),
        IN_FLIGHT => (Figure::InFlight, IN_FLIGHT_HELP, "gauge"),
        CANCELLED => (Figure::Cancelled, CANCELLED_HELP, "counter"),
        CANCELLED_DURATION => (
            Figure::CancelledDuration,
            CANCELLED_DURATION_HELP,
            "histogram",
        ),
        _ => return,
    };
    let mut all = ignore_poison(EXPOSED.lock());
    if !all.sorted {
        all.functions
            .sort_by(|a, b| (a.function, a.module).cmp(&(b.function, b.module)));
        all.sorted = true;
    }
    let mut buckets = Vec::new();
    let mut wrote_header = false;
    for function in &all.functions {
        // `ok` and `error` are one family: either collector brings it.
        let wanted = match figure {
            Figure::Ok => bit(Figure::Ok) | bit(Figure::Error),
            other => bit(other),
        };
        if function.figures & wanted == 0 {
            continue;
        }
        if !wrote_header {
            header(out, name, help, kind);
            wrote_header = true;
        }
        let labels = &function.labels;
        let stats = function.stats;
        match figure {
            Figure::Ok | Figure::Error => {
                let (count, errors) = stats.calls();
                // Sorted by `result`: `error` before `ok`.
                if function.figures & bit(Figure::Error) != 0 {
                    sample(out, name, "", labels, ",result=\"error\"");
                    write_count(out, errors);
                    out.push('\n');
                }
                if function.figures & bit(Figure::Ok) != 0 {
                    sample(out, name, "", labels, ",result=\"ok\"");
                    write_count(out, count.saturating_sub(errors));
                    out.push('\n');
                }
            }
            Figure::InFlight => {
                sample(out, name, "", labels, "");
                write_count(out, stats.in_flight());
                out.push('\n');
            }
            Figure::Cancelled => {
                sample(out, name, "", labels, "");
                write_count(out, stats.cancelled());
                out.push('\n');
            }
            Figure::Duration | Figure::CancelledDuration => {
                let sum = stats.histogram(figure, &mut buckets);
                histogram(out, name, function, &buckets, sum);
            }
        }
    }
}

/// The lines of one histogram: cumulative buckets, `+Inf`, sum and count.
fn histogram(out: &mut String, name: &str, function: &Exposed, buckets: &[u64], sum: f64) {
    let labels = &function.labels;
    let mut cumulative = 0;
    for (bound, count) in function.bounds.iter().zip(buckets) {
        cumulative += count;
        for part in [name, "_bucket{", labels, ",le=\"", bound, "\"} "] {
            out.push_str(part);
        }
        write_count(out, cumulative);
        out.push('\n');
    }
    let count: u64 = buckets.iter().sum();
    sample(out, name, "_bucket", labels, ",le=\"+Inf\"");
    write_count(out, count);
    out.push('\n');
    sample(out, name, "_sum", labels, "");
    let _ = write!(out, "{sum}");
    out.push('\n');
    sample(out, name, "_count", labels, "");
    write_count(out, count);
    out.push('\n');
}
