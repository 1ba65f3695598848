//! The validator against the real linter. Names it accepts, and the names it suggests,
//! are registered with the `prometheus` crate, rendered as the exposition text format
//! and must pass `promtool check metrics` with no finding. Names it rejects for lint
//! reasons are flagged by `promtool`, or refused by the `prometheus` crate's name and
//! label checks (the Prometheus data model's regexes).

use std::collections::HashSet;
use std::io::Write;
use std::process::{Command, Stdio};

use prometheus::core::{Collector, Desc};
use prometheus::{CounterVec, Encoder, GaugeVec, HistogramOpts, HistogramVec, Opts, Registry};
use proptest::prelude::*;

use super::rules::{self, Code};
use super::vocabulary::MetricKind::{self, Counter, Gauge, Histogram};

/// Runs `promtool check metrics` on `exposition` and returns its findings, one line
/// each. Never skips: without `promtool` the test fails and says how to install it.
fn promtool(exposition: &str) -> Vec<String> {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "`promtool` is required by this test ({error}): install it with \
                 `apt-get install prometheus`"
            )
        });
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(exposition.as_bytes())
        .expect("write exposition to promtool");
    let output = child.wait_with_output().expect("promtool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let findings: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(ToOwned::to_owned)
        .collect();
    if !output.status.success() && findings.is_empty() {
        return vec![format!("promtool exited with {}", output.status)];
    }
    findings
}

/// A metric as a macro would register it: one series with every label set.
#[derive(Clone, Debug)]
struct Metric {
    name: String,
    kind: MetricKind,
    labels: Vec<String>,
}

impl Metric {
    fn accepted(&self) -> bool {
        let labels: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        rules::metric_name(&self.name, self.kind).is_empty()
            && labels
                .iter()
                .all(|label| rules::label_name(label).is_empty())
            && rules::duplicate_labels(&labels).is_empty()
    }

    /// Registers the metric with one series; `Err` when the `prometheus` crate refuses.
    fn register(&self, registry: &Registry) -> prometheus::Result<()> {
        let labels: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        let values: Vec<&str> = labels.iter().map(|_| "v").collect();
        let help = "Generated metric";
        match self.kind {
            Counter => {
                let vec = CounterVec::new(Opts::new(&self.name, help), &labels)?;
                vec.get_metric_with_label_values(&values)?.inc();
                registry.register(Box::new(vec))
            }
            Gauge => {
                let vec = GaugeVec::new(Opts::new(&self.name, help), &labels)?;
                vec.get_metric_with_label_values(&values)?.set(1.0);
                registry.register(Box::new(vec))
            }
            Histogram => {
                let vec = HistogramVec::new(HistogramOpts::new(&self.name, help), &labels)?;
                vec.get_metric_with_label_values(&values)?.observe(0.5);
                registry.register(Box::new(vec))
            }
        }
    }
}

fn render(registry: &Registry) -> String {
    let mut text = Vec::new();
    prometheus::TextEncoder::new()
        .encode(&registry.gather(), &mut text)
        .expect("encode");
    String::from_utf8(text).expect("exposition is UTF-8")
}

/// Words names are made of: plain words, and words that break one rule or another.
const WORDS: &[&str] = &[
    "http",
    "requests",
    "request",
    "login",
    "attempts",
    "queue",
    "length",
    "jobs",
    "cache",
    "hits",
    "errors",
    "size",
    "a",
    "x1",
    "v2",
    "5xx",
    "total",
    "count",
    "sum",
    "bucket",
    "created",
    "info",
    "counter",
    "gauge",
    "histogram",
    "summary",
    "seconds",
    "bytes",
    "ratio",
    "celsius",
    "meters",
    "grams",
    "ms",
    "us",
    "s",
    "m",
    "h",
    "d",
    "b",
    "kb",
    "mb",
    "sec",
    "min",
    "millis",
    "pct",
    "milliseconds",
    "microseconds",
    "minutes",
    "hours",
    "kilobytes",
    "megabytes",
    "kilograms",
    "bits",
    "percent",
    "fahrenheit",
    "inches",
    "Count",
    "Total",
    "HTTP",
    "Latency",
    "Ms",
];

const LABELS: &[&str] = &[
    "plan", "region", "method", "code", "tenant", "shard", "le", "quantile", "function", "module",
    "result", "job", "instance", "__x", "userId", "user_id", "2fa", "user-id",
];

fn name_strategy() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(WORDS), 1..5),
        prop::sample::select(&["_", "_", "_", "", "-", ":", "__"][..]),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(words, separator, leading)| {
            let name = words.join(separator);
            if leading { format!("_{name}") } else { name }
        })
}

fn metric_strategy() -> impl Strategy<Value = Metric> {
    (
        name_strategy(),
        prop::sample::select(&[Counter, Gauge, Histogram][..]),
        prop::collection::vec(prop::sample::select(LABELS), 0..3),
    )
        .prop_map(|(name, kind, labels)| Metric {
            name,
            kind,
            labels: labels.into_iter().map(ToOwned::to_owned).collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the validator accepts, and whatever it suggests instead of what it
    /// rejects, the `prometheus` crate registers and `promtool` finds nothing in. One
    /// `promtool` run per batch of metrics.
    #[test]
    fn accepted_and_suggested_names_pass_promtool(
        batch in prop::collection::vec(metric_strategy(), 64)
    ) {
        let registry = Registry::new();
        let mut names = HashSet::new();
        let mut registered = 0;
        for metric in batch {
            let candidate = if metric.accepted() {
                Some(metric.clone())
            } else {
                rules::suggested_metric_name(&metric.name, metric.kind).map(|name| Metric {
                    name,
                    kind: metric.kind,
                    labels: metric
                        .labels
                        .iter()
                        .filter(|label| rules::label_name(label).is_empty())
                        .cloned()
                        .collect(),
                })
            };
            let Some(mut candidate) = candidate else { continue };
            candidate.labels.dedup();
            // A batch registers each metric name once, as one program would.
            if !names.insert(candidate.name.clone()) {
                continue;
            }
            prop_assert!(candidate.accepted(), "suggestion {candidate:?} is accepted");
            let registration = candidate.register(&registry);
            prop_assert!(registration.is_ok(), "{candidate:?}: {registration:?}");
            registered += 1;
        }
        prop_assert!(registered > 0, "a batch registers something");
        let exposition = render(&registry);
        let findings = promtool(&exposition);
        prop_assert!(findings.is_empty(), "{registered} metrics, promtool: {findings:#?}\n{exposition}");
    }
}

/// Names at the edges of the rules, which the validator accepts, pass `promtool`.
#[test]
fn names_at_the_edges_pass_promtool() {
    let edges: &[(&str, MetricKind, &[&str])] = &[
        ("a", Gauge, &[]),
        ("x1", Gauge, &["a"]),
        ("_private", Gauge, &["_shard"]),
        ("a_total", Counter, &["x1"]),
        ("http_requests_total", Counter, &["method", "code"]),
        ("request_duration_seconds_total", Counter, &[]),
        ("request_duration_seconds", Histogram, &["plan"]),
        ("count_total", Counter, &[]),
        ("request_count_total", Counter, &[]),
        ("counter", Gauge, &[]),
        ("gauge_readings", Gauge, &[]),
        ("ms", Gauge, &[]),
        ("s_values", Gauge, &[]),
        ("total_memory_bytes", Gauge, &[]),
        ("http_2xx_responses_total", Counter, &[]),
        ("cache_hit_ratio", Gauge, &[]),
        ("temperature_celsius", Gauge, &[]),
        ("cable_length_meters", Gauge, &[]),
        ("parcel_weight_grams", Gauge, &[]),
        ("ms_per_request", Gauge, &[]),
        ("b_side_requests_total", Counter, &[]),
        ("planb_signups_total", Counter, &[]),
        ("queue_min_depth", Gauge, &[]),
        ("jobs_pct_done", Gauge, &[]),
    ];
    let registry = Registry::new();
    for &(name, kind, labels) in edges {
        let metric = Metric {
            name: name.to_owned(),
            kind,
            labels: labels.iter().map(|label| (*label).to_owned()).collect(),
        };
        assert!(metric.accepted(), "{metric:?}");
        metric.register(&registry).expect("registers");
    }
    // The framework's own names pass every rule but the one that reserves them.
    for (name, kind) in [
        ("function_calls_total", Counter),
        ("function_calls_duration_seconds", Histogram),
        ("function_calls_concurrent", Gauge),
        ("health_check_status", Gauge),
        ("monitor_label_overflow_total", Counter),
    ] {
        let found: Vec<Code> = rules::metric_name(name, kind)
            .iter()
            .map(|finding| finding.code)
            .collect();
        assert_eq!(found, [Code::M007], "{name}");
        let metric = Metric {
            name: name.to_owned(),
            kind,
            labels: Vec::new(),
        };
        metric.register(&registry).expect("registers");
    }
    let findings = promtool(&render(&registry));
    assert!(findings.is_empty(), "{findings:#?}");
}

/// Names the validator rejects for a lint reason, with the code it gives; `promtool`
/// flags each of them too.
const LINT_CORPUS: &[(&str, MetricKind, Code)] = &[
    ("job:requests:rate5m", Gauge, Code::M004),
    ("requestCount", Gauge, Code::M006),
    ("httpRequests_total", Counter, Code::M006),
    ("login_attempts", Counter, Code::M010),
    ("requests", Counter, Code::M010),
    ("queue_length_total", Gauge, Code::M011),
    ("jobs_count", Gauge, Code::M012),
    ("jobs_sum", Gauge, Code::M012),
    ("jobs_bucket", Gauge, Code::M012),
    ("requests_counter", Counter, Code::M013),
    ("queue_gauge", Gauge, Code::M013),
    ("latency_histogram_seconds", Histogram, Code::M013),
    ("rpc_summary_value", Gauge, Code::M013),
    ("request_latency_milliseconds", Histogram, Code::M014),
    ("request_latency_microseconds", Histogram, Code::M014),
    ("uptime_minutes", Gauge, Code::M014),
    ("uptime_hours", Gauge, Code::M014),
    ("retention_days", Gauge, Code::M014),
    ("payload_kilobytes", Gauge, Code::M014),
    ("link_megabits", Gauge, Code::M014),
    ("room_fahrenheit", Gauge, Code::M014),
    ("parcel_kilograms", Gauge, Code::M014),
    ("request_latency_ms", Histogram, Code::M015),
    ("request_latency_us", Histogram, Code::M015),
    ("request_latency_ns", Histogram, Code::M015),
    ("timeout_s", Gauge, Code::M015),
    ("timeout_sec", Gauge, Code::M015),
    ("payload_kb", Gauge, Code::M015),
    ("payload_mb", Gauge, Code::M015),
    ("disk_gb", Gauge, Code::M015),
    ("payload_b", Gauge, Code::M015),
    ("interval_h", Gauge, Code::M015),
    ("retention_d", Gauge, Code::M015),
    ("distance_m", Gauge, Code::M015),
    ("request_ms_total", Counter, Code::M015),
    ("plan_b_signups_total", Counter, Code::M015),
    ("orders_total_", Counter, Code::M010),
    ("tier_d_customers", Gauge, Code::M015),
    ("minutes_played_total", Counter, Code::M014),
];

#[test]
fn promtool_flags_every_name_of_the_lint_corpus() {
    let registry = Registry::new();
    for &(name, kind, code) in LINT_CORPUS {
        let found: Vec<Code> = rules::metric_name(name, kind)
            .iter()
            .map(|finding| finding.code)
            .collect();
        assert!(
            found.contains(&code),
            "{name}: expected {code}, got {found:?}"
        );
        let metric = Metric {
            name: name.to_owned(),
            kind,
            labels: Vec::new(),
        };
        metric.register(&registry).expect("a valid Prometheus name");
    }
    let findings = promtool(&render(&registry));
    let unflagged: Vec<&str> = LINT_CORPUS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| {
            !findings
                .iter()
                .any(|line| line.starts_with(&format!("{name} ")))
        })
        .collect();
    assert!(
        unflagged.is_empty(),
        "promtool finds nothing wrong with {unflagged:?}: {findings:#?}"
    );
}

/// Labels the validator rejects, with its code; `promtool` flags each on a gauge.
#[test]
fn promtool_flags_every_label_of_the_lint_corpus() {
    let corpus: &[(&str, Code)] = &[
        ("userId", Code::M006),
        ("httpMethod", Code::M006),
        ("le", Code::M020),
        ("quantile", Code::M020),
    ];
    let registry = Registry::new();
    for (index, &(label, code)) in corpus.iter().enumerate() {
        assert_eq!(
            rules::label_name(label)
                .iter()
                .map(|finding| finding.code)
                .collect::<Vec<_>>(),
            [code],
            "{label}"
        );
        let metric = Metric {
            name: format!("labelled_{index}"),
            kind: Gauge,
            labels: vec![label.to_owned()],
        };
        metric.register(&registry).expect("a valid label name");
    }
    let findings = promtool(&render(&registry));
    for (index, (label, _)) in corpus.iter().enumerate() {
        let name = format!("labelled_{index} ");
        assert!(
            findings.iter().any(|line| line.starts_with(&name)),
            "promtool finds nothing wrong with label `{label}`: {findings:#?}"
        );
    }
}

/// Names the validator rejects as invalid, and the `prometheus` crate refuses too.
#[test]
fn prometheus_refuses_every_invalid_name() {
    let metric_corpus: &[(&str, Code)] = &[
        ("login-attempts_total", Code::M001),
        ("cpu.usage", Code::M001),
        ("requests total", Code::M001),
        ("café_total", Code::M001),
        ("", Code::M002),
        ("5xx_errors_total", Code::M003),
        ("1", Code::M003),
    ];
    for &(name, code) in metric_corpus {
        let found: Vec<Code> = rules::metric_name(name, Counter)
            .iter()
            .map(|finding| finding.code)
            .collect();
        assert!(
            found.contains(&code),
            "{name}: expected {code}, got {found:?}"
        );
        assert!(
            Desc::new(
                name.to_owned(),
                "help".to_owned(),
                Vec::new(),
                Default::default()
            )
            .is_err(),
            "the prometheus crate accepts metric name `{name}`"
        );
    }
    let label_corpus: &[(&str, Code)] = &[
        ("user-id", Code::M001),
        ("a:b", Code::M001),
        ("plan name", Code::M001),
        ("", Code::M002),
        ("2fa", Code::M003),
    ];
    for &(label, code) in label_corpus {
        let found: Vec<Code> = rules::label_name(label)
            .iter()
            .map(|finding| finding.code)
            .collect();
        assert!(
            found.contains(&code),
            "{label}: expected {code}, got {found:?}"
        );
        assert!(
            Desc::new(
                "labelled".to_owned(),
                "help".to_owned(),
                Vec::new(),
                [(label.to_owned(), "v".to_owned())].into_iter().collect(),
            )
            .is_err(),
            "the prometheus crate accepts label name `{label}`"
        );
    }
    // M030: the crate refuses empty help text; M021: and a label given twice.
    assert!(rules::help_text("").is_some());
    assert!(
        Desc::new(
            "labelled".to_owned(),
            String::new(),
            Vec::new(),
            Default::default()
        )
        .is_err()
    );
    assert!(!rules::duplicate_labels(&["plan", "plan"]).is_empty());
    assert!(
        GaugeVec::new(Opts::new("labelled", "help"), &["plan", "plan"])
            .map(|vec| vec.desc().len())
            .is_err()
    );
}
