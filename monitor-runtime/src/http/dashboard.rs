//! The built-in dashboard: one HTML page listing every `#[monitored]` function with
//! its calls, errors, latency and calls in progress, read from the global registry.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use prometheus::TextEncoder;
use prometheus::proto::MetricFamily;

/// Links shown at the top of the dashboard, and the routes the standalone server's
/// `404` lists: `(path, label)`. Every part of the exporter that serves routes of its
/// own adds its entry here.
pub(super) const DASHBOARD_LINKS: &[(&str, &str)] = &[
    ("/metrics", "metrics"),
    ("/health", "health"),
    ("/livez", "livez"),
    ("/readyz", "readyz"),
];

/// One row of the dashboard: the figures of one monitored function.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct FunctionRow {
    pub(super) ok: f64,
    pub(super) errors: f64,
    pub(super) cancelled: f64,
    pub(super) in_flight: f64,
    pub(super) duration_count: u64,
    pub(super) duration_sum: f64,
    /// Cumulative `(upper bound, count)` pairs of the duration histogram.
    pub(super) buckets: Vec<(f64, u64)>,
}

impl FunctionRow {
    fn calls(&self) -> f64 {
        self.ok + self.errors
    }

    fn error_ratio(&self) -> Option<f64> {
        let calls = self.calls();
        (calls > 0.0).then(|| self.errors / calls)
    }

    fn mean_seconds(&self) -> Option<f64> {
        (self.duration_count > 0).then(|| self.duration_sum / self.duration_count as f64)
    }

    /// Upper bound of the first bucket holding the `quantile` of the calls: an upper
    /// estimate, as precise as the buckets are.
    fn quantile_bound(&self, quantile: f64) -> Option<f64> {
        if self.duration_count == 0 {
            return None;
        }
        let rank = quantile * self.duration_count as f64;
        Some(
            self.buckets
                .iter()
                .find(|(_, count)| *count as f64 >= rank)
                .map_or(f64::INFINITY, |(bound, _)| *bound),
        )
    }
}

/// The families `#[monitored]` writes to.
const FAMILIES: [&str; 4] = [
    "function_calls_total",
    "function_calls_cancelled_total",
    "function_calls_concurrent",
    "function_calls_duration_seconds",
];

/// `(module, function)` → figures, sorted for a stable page.
pub(super) type FunctionTable = BTreeMap<(String, String), FunctionRow>;

/// Collects the figures of every monitored function from gathered metric families.
///
/// The figures are read back from the text exposition of those families rather than
/// from the metric protos: the accessors of `prometheus::proto` differ with the
/// crate's `protobuf` feature (which an application's own `prometheus` dependency
/// may turn on), and the text format is the same either way.
pub(super) fn function_table(families: &[MetricFamily]) -> FunctionTable {
    let ours: Vec<MetricFamily> = families
        .iter()
        .filter(|family| FAMILIES.contains(&family.name()))
        .cloned()
        .collect();
    let mut text = String::new();
    if let Err(error) = TextEncoder::new().encode_utf8(&ours, &mut text) {
        tracing::error!(%error, "monitor: the dashboard could not read the function metrics");
        return FunctionTable::new();
    }
    let mut table = FunctionTable::new();
    for sample in text.lines().filter_map(Sample::parse) {
        let (Some(function), Some(module)) = (sample.label("function"), sample.label("module"))
        else {
            continue;
        };
        let row = table
            .entry((module.to_owned(), function.to_owned()))
            .or_default();
        match sample.name {
            "function_calls_total" => match sample.label("result") {
                Some("ok") => row.ok += sample.value,
                Some("error") => row.errors += sample.value,
                _ => {}
            },
            "function_calls_cancelled_total" => row.cancelled += sample.value,
            "function_calls_concurrent" => row.in_flight += sample.value,
            "function_calls_duration_seconds_count" => row.duration_count = sample.value as u64,
            "function_calls_duration_seconds_sum" => row.duration_sum = sample.value,
            "function_calls_duration_seconds_bucket" => {
                // `+Inf` is the count itself; the finite bounds are the buckets.
                if let Some(bound) = sample
                    .label("le")
                    .and_then(|le| le.parse::<f64>().ok())
                    .filter(|bound| bound.is_finite())
                {
                    row.buckets.push((bound, sample.value as u64));
                }
            }
            _ => {}
        }
    }
    table
}

/// One sample line of the text exposition: `name{key="value",...} value`.
struct Sample<'a> {
    name: &'a str,
    labels: Vec<(&'a str, String)>,
    value: f64,
}

impl<'a> Sample<'a> {
    /// Parses a sample line; comments, blank and malformed lines give `None`.
    fn parse(line: &'a str) -> Option<Self> {
        if line.starts_with('#') || line.is_empty() {
            return None;
        }
        let name_end = line.find(['{', ' '])?;
        let name = &line[..name_end];
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
                labels.push((key, value));
                inner = &after_key[end + 1..];
            }
        }
        let value = rest.split_whitespace().next()?.parse().ok()?;
        Some(Self {
            name,
            labels,
            value,
        })
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| value.as_str())
    }
}

/// The content security policy of the dashboard: no script, no outside resource,
/// its one inline style sheet, no framing.
pub(super) const DASHBOARD_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Renders the dashboard page for `table`, with a banner listing `problems` (the
/// registration problems [`init`](crate::init) reports) when there are any.
pub(super) fn render_page(table: &FunctionTable, problems: &[String]) -> String {
    let mut page = String::with_capacity(2048 + table.len() * 256);
    page.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta http-equiv=\"refresh\" content=\"5\">\n<title>monitor dashboard</title>\n",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}",
        "th,td{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:right}",
        "th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}",
        ".bad{color:#b00}</style>\n</head>\n<body>\n<h1>monitor</h1>\n<nav>"
    ));
    for (index, (path, label)) in DASHBOARD_LINKS.iter().enumerate() {
        if index > 0 {
            page.push_str(" · ");
        }
        // Relative (`metrics`, not `/metrics`): the dashboard and its neighbours are
        // found under whatever prefix the router is nested at.
        let relative = path.trim_start_matches('/');
        let _ = write!(
            page,
            "<a href=\"{}\">{}</a>",
            escape(relative),
            escape(label)
        );
    }
    page.push_str("</nav>\n");
    if !problems.is_empty() {
        let _ = writeln!(
            page,
            "<div class=\"bad\" role=\"alert\"><p><strong>{} registration problem(s)</strong>: \
             the items involved still run, but some of their series are left out of \
             <code>/metrics</code>.</p>\n<ul>",
            problems.len()
        );
        for problem in problems {
            let _ = writeln!(page, "<li>{}</li>", escape(problem));
        }
        page.push_str("</ul></div>\n");
    }
    page.push_str("<h2>Monitored functions</h2>\n");
    if table.is_empty() {
        page.push_str("<p>No function is annotated with <code>#[monitored]</code>.</p>\n");
    } else {
        page.push_str(concat!(
            "<table>\n<tr><th>module</th><th>function</th><th>calls</th><th>errors</th>",
            "<th>error ratio</th><th>cancelled</th><th>in progress</th>",
            "<th>mean latency</th><th>p95 latency ≤</th></tr>\n"
        ));
        for ((module, function), row) in table {
            let ratio = row.error_ratio();
            let _ = writeln!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{}>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(module),
                escape(function),
                row.calls(),
                row.errors,
                if ratio.is_some_and(|ratio| ratio > 0.0) {
                    " class=\"bad\""
                } else {
                    ""
                },
                ratio.map_or_else(|| "–".to_owned(), |ratio| format!("{:.1} %", ratio * 100.0)),
                row.cancelled,
                row.in_flight,
                row.mean_seconds().map_or_else(|| "–".to_owned(), seconds),
                row.quantile_bound(0.95)
                    .map_or_else(|| "–".to_owned(), seconds),
            );
        }
        page.push_str("</table>\n");
    }
    page.push_str("</body>\n</html>\n");
    page
}

/// A duration in the most readable unit.
fn seconds(value: f64) -> String {
    if value.is_infinite() {
        "+Inf".to_owned()
    } else if value >= 1.0 {
        format!("{value:.2} s")
    } else if value >= 1e-3 {
        format!("{:.2} ms", value * 1e3)
    } else {
        format!("{:.1} µs", value * 1e6)
    }
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// The registration problems, worded for people.
fn registration_problems() -> Vec<String> {
    crate::core::init().err().map_or_else(Vec::new, |error| {
        error.errors().iter().map(ToString::to_string).collect()
    })
}

/// `GET /dashboard`: gathered and rendered on the blocking pool, off the async
/// workers.
pub(super) async fn dashboard() -> Response {
    let page = tokio::task::spawn_blocking(|| {
        let table = function_table(&crate::core::registry().gather());
        render_page(&table, &registration_problems())
    })
    .await;
    match page {
        Ok(page) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, DASHBOARD_CSP),
            ],
            page,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "monitor: the dashboard could not be rendered");
            super::exporter::short_error(StatusCode::INTERNAL_SERVER_ERROR, "dashboard failed")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn quantile_bound_reads_cumulative_buckets() {
        let row = FunctionRow {
            duration_count: 100,
            buckets: vec![(0.1, 50), (0.5, 94), (1.0, 99), (5.0, 100)],
            ..FunctionRow::default()
        };
        assert_eq!(row.quantile_bound(0.5), Some(0.1));
        assert_eq!(row.quantile_bound(0.95), Some(1.0));
        assert_eq!(row.quantile_bound(1.0), Some(5.0));
        let overflow = FunctionRow {
            duration_count: 10,
            buckets: vec![(0.1, 5)],
            ..FunctionRow::default()
        };
        assert_eq!(overflow.quantile_bound(0.95), Some(f64::INFINITY));
        assert_eq!(FunctionRow::default().quantile_bound(0.5), None);
    }

    #[test]
    fn page_lists_rows_and_links() {
        let mut table = FunctionTable::new();
        table.insert(
            ("shop::orders".to_owned(), "place<T>".to_owned()),
            FunctionRow {
                ok: 3.0,
                errors: 1.0,
                duration_count: 4,
                duration_sum: 0.002,
                ..FunctionRow::default()
            },
        );
        let page = render_page(&table, &[]);
        assert!(page.contains("<td>shop::orders</td><td>place&lt;T&gt;</td><td>4</td><td>1</td>"));
        assert!(page.contains("25.0 %"));
        assert!(page.contains("500.0 µs"));
        for (path, _) in DASHBOARD_LINKS {
            assert!(page.contains(&format!("href=\"{}\"", &path[1..])));
        }
        assert!(render_page(&FunctionTable::new(), &[]).contains("No function is annotated"));
        assert!(!page.contains("registration problem"));
        let banner = render_page(&table, &["clash <at> a.rs:1".to_owned()]);
        assert!(banner.contains("1 registration problem(s)"));
        assert!(banner.contains("<li>clash &lt;at&gt; a.rs:1</li>"));
    }

    #[test]
    fn reads_the_figures_of_gathered_families() {
        use prometheus::{CounterVec, HistogramOpts, HistogramVec, Opts, Registry};
        let registry = Registry::new();
        let calls = CounterVec::new(
            Opts::new("function_calls_total", "calls"),
            &["function", "module", "result"],
        )
        .unwrap();
        let durations = HistogramVec::new(
            HistogramOpts::new("function_calls_duration_seconds", "durations")
                .buckets(vec![0.1, 1.0]),
            &["function", "module"],
        )
        .unwrap();
        registry.register(Box::new(calls.clone())).unwrap();
        registry.register(Box::new(durations.clone())).unwrap();
        calls.with_label_values(&["pay", "shop", "ok"]).inc_by(3.0);
        calls.with_label_values(&["pay", "shop", "error"]).inc();
        durations.with_label_values(&["pay", "shop"]).observe(0.05);
        durations.with_label_values(&["pay", "shop"]).observe(0.5);

        let table = function_table(&registry.gather());
        let row = &table[&("shop".to_owned(), "pay".to_owned())];
        assert_eq!((row.ok, row.errors), (3.0, 1.0));
        assert_eq!(row.duration_count, 2);
        assert!((row.duration_sum - 0.55).abs() < 1e-9);
        assert_eq!(row.buckets, vec![(0.1, 1), (1.0, 2)]);
    }

    #[test]
    fn reads_the_text_exposition() {
        let sample = Sample::parse(r#"x_bucket{a="q\"uo\\te",le="0.5"} 3"#).unwrap();
        assert_eq!(sample.name, "x_bucket");
        assert_eq!(sample.label("a"), Some("q\"uo\\te"));
        assert_eq!(sample.label("le"), Some("0.5"));
        assert_eq!(sample.value, 3.0);
        assert_eq!(Sample::parse("plain 1.5").unwrap().value, 1.5);
        assert!(Sample::parse("# HELP x y").is_none());
        assert!(Sample::parse("broken{a=\"b").is_none());
    }
}
