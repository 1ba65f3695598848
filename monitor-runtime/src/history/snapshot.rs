//! One reading of the registry: the cumulative figures of every monitored function,
//! HTTP route and business metric at one instant.

use std::collections::BTreeMap;

use prometheus::TextEncoder;
use prometheus::proto::MetricFamily;

use super::sample::{Sample, help_line, parse_value, type_line};

/// Cumulative figures of one timed thing (a function or a route).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Timed {
    /// Calls (or requests) that finished.
    pub calls: f64,
    /// Those that failed (`result="error"`; for a route, a `5xx` answer).
    pub errors: f64,
    /// In progress when read.
    pub in_flight: f64,
    /// Sum of the durations, seconds.
    pub duration_sum: f64,
    /// Cumulative `(upper bound, count)` pairs of the duration histogram, `+Inf` last.
    pub buckets: Vec<(f64, f64)>,
}

impl Timed {
    fn add_bucket(&mut self, bound: f64, count: f64) {
        match self.buckets.iter_mut().find(|(le, _)| *le == bound) {
            Some((_, existing)) => *existing += count,
            None => {
                self.buckets.push((bound, count));
                self.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
        }
    }
}

/// The kind of a business metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Only goes up: shown as a rate.
    Counter,
    /// Goes up and down: shown as its value.
    Gauge,
    /// Observations: shown as their rate and mean.
    Histogram,
}

impl MetricKind {
    /// `counter`, `gauge` or `histogram`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

/// Cumulative figures of one business metric family, summed over its label sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Business {
    /// Its kind.
    pub kind: MetricKind,
    /// Its help text.
    pub help: String,
    /// Counter or gauge: the sum of its series; histogram: the count of observations.
    pub value: f64,
    /// Histogram: the sum of the observations.
    pub sum: f64,
    /// Label sets.
    pub series: usize,
}

/// The figures of the process itself, when the process collector is there.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Process {
    /// `process_cpu_seconds_total`.
    pub cpu_seconds: Option<f64>,
    /// `process_resident_memory_bytes`.
    pub resident_memory_bytes: Option<f64>,
    /// `process_open_fds`.
    pub open_fds: Option<f64>,
    /// `process_max_fds`.
    pub max_fds: Option<f64>,
}

/// One reading of the registry at `at`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot {
    /// When it was taken, seconds since the Unix epoch.
    pub at: f64,
    /// `(module, function)` → figures of a `#[monitored]` function.
    pub functions: BTreeMap<(String, String), Timed>,
    /// `(method, route)` → figures of an HTTP route, over every status code.
    pub routes: BTreeMap<(String, String), Timed>,
    /// Family name → figures of a metric of the application's own.
    pub business: BTreeMap<String, Business>,
    /// The process' own figures.
    pub process: Process,
}

/// Name prefixes of the families the framework writes: everything else is the
/// application's (business metrics, its own collectors).
const FRAMEWORK_PREFIXES: [&str; 10] = [
    "function_calls_",
    "http_server_",
    "process_",
    "system_",
    "health_check_",
    "monitor_",
    "http_client_",
    "db_client_",
    "tokio_",
    "target_info",
];

impl Snapshot {
    /// Reads `families` (a [`Registry::gather`](prometheus::Registry::gather)) taken
    /// at `at` seconds since the Unix epoch.
    pub fn from_families(families: &[MetricFamily], at: f64) -> Self {
        let mut text = String::new();
        if let Err(error) = TextEncoder::new().encode_utf8(families, &mut text) {
            tracing::error!(%error, "monitor: the dashboard history could not read the metrics");
            return Self {
                at,
                ..Self::default()
            };
        }
        Self::from_text(&text, at)
    }

    /// Reads a text exposition taken at `at`.
    pub fn from_text(text: &str, at: f64) -> Self {
        let mut snapshot = Self {
            at,
            ..Self::default()
        };
        let mut kinds: BTreeMap<&str, MetricKind> = BTreeMap::new();
        let mut helps: BTreeMap<&str, &str> = BTreeMap::new();
        for line in text.lines() {
            if let Some((name, kind)) = type_line(line) {
                let kind = match kind {
                    "counter" => MetricKind::Counter,
                    "gauge" => MetricKind::Gauge,
                    "histogram" => MetricKind::Histogram,
                    _ => continue,
                };
                kinds.insert(name, kind);
                continue;
            }
            if let Some((name, help)) = help_line(line) {
                helps.insert(name, help);
                continue;
            }
            let Some(sample) = Sample::parse(line) else {
                continue;
            };
            if sample.name.starts_with("function_calls_") {
                snapshot.function_sample(&sample);
            } else if sample.name.starts_with("http_server_") {
                snapshot.route_sample(&sample);
            } else if sample.name.starts_with("process_") {
                let process = &mut snapshot.process;
                match sample.name {
                    "process_cpu_seconds_total" => process.cpu_seconds = Some(sample.value),
                    "process_resident_memory_bytes" => {
                        process.resident_memory_bytes = Some(sample.value);
                    }
                    "process_open_fds" => process.open_fds = Some(sample.value),
                    "process_max_fds" => process.max_fds = Some(sample.value),
                    _ => {}
                }
            } else if !FRAMEWORK_PREFIXES
                .iter()
                .any(|prefix| sample.name.starts_with(prefix))
            {
                snapshot.business_sample(&sample, &kinds, &helps);
            }
        }
        snapshot
    }

    fn function_sample(&mut self, sample: &Sample<'_>) {
        let (Some(function), Some(module)) = (sample.label("function"), sample.label("module"))
        else {
            return;
        };
        let key = (module.to_owned(), function.to_owned());
        let timed = self.functions.entry(key).or_default();
        match sample.name {
            "function_calls_total" => {
                timed.calls += sample.value;
                if sample.label("result") == Some("error") {
                    timed.errors += sample.value;
                }
            }
            "function_calls_concurrent" => timed.in_flight += sample.value,
            "function_calls_duration_seconds_sum" => timed.duration_sum += sample.value,
            "function_calls_duration_seconds_bucket" => {
                if let Some(bound) = sample.label("le").and_then(parse_value) {
                    timed.add_bucket(bound, sample.value);
                }
            }
            _ => {}
        }
    }

    fn route_sample(&mut self, sample: &Sample<'_>) {
        let (Some(method), Some(route)) = (
            sample.label("http_request_method"),
            sample.label("http_route"),
        ) else {
            return;
        };
        let key = (method.to_owned(), route.to_owned());
        match sample.name {
            "http_server_request_duration_seconds_count" => {
                let timed = self.routes.entry(key).or_default();
                timed.calls += sample.value;
                if sample
                    .label("http_response_status_code")
                    .is_some_and(|code| code.starts_with('5'))
                {
                    timed.errors += sample.value;
                }
            }
            "http_server_request_duration_seconds_sum" => {
                self.routes.entry(key).or_default().duration_sum += sample.value;
            }
            "http_server_request_duration_seconds_bucket" => {
                if let Some(bound) = sample.label("le").and_then(parse_value) {
                    self.routes
                        .entry(key)
                        .or_default()
                        .add_bucket(bound, sample.value);
                }
            }
            "http_server_active_requests" => {
                self.routes.entry(key).or_default().in_flight += sample.value;
            }
            _ => {}
        }
    }

    fn business_sample(
        &mut self,
        sample: &Sample<'_>,
        kinds: &BTreeMap<&str, MetricKind>,
        helps: &BTreeMap<&str, &str>,
    ) {
        let (family, part) = if let Some(base) = sample.name.strip_suffix("_count") {
            (base, "count")
        } else if let Some(base) = sample.name.strip_suffix("_sum") {
            (base, "sum")
        } else if let Some(base) = sample.name.strip_suffix("_bucket") {
            (base, "bucket")
        } else {
            (sample.name, "value")
        };
        let (family, kind) = match (kinds.get(family), kinds.get(sample.name)) {
            (Some(MetricKind::Histogram), _) => (family, MetricKind::Histogram),
            (_, Some(kind)) => (sample.name, *kind),
            // An untyped or summary family: not shown.
            _ => return,
        };
        let entry = self
            .business
            .entry(family.to_owned())
            .or_insert_with(|| Business {
                kind,
                help: helps.get(family).copied().unwrap_or_default().to_owned(),
                value: 0.0,
                sum: 0.0,
                series: 0,
            });
        match (kind, part) {
            (MetricKind::Histogram, "count") => {
                entry.value += sample.value;
                entry.series += 1;
            }
            (MetricKind::Histogram, "sum") => entry.sum += sample.value,
            (MetricKind::Histogram, _) => {}
            _ => {
                entry.value += sample.value;
                entry.series += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_functions_routes_and_business_metrics() {
        let text = r#"# HELP function_calls_total calls
# TYPE function_calls_total counter
function_calls_total{function="pay",module="shop",result="ok"} 3
function_calls_total{function="pay",module="shop",result="error"} 1
function_calls_duration_seconds_bucket{function="pay",module="shop",le="0.1"} 2
function_calls_duration_seconds_bucket{function="pay",module="shop",le="+Inf"} 4
function_calls_duration_seconds_sum{function="pay",module="shop"} 0.9
http_server_request_duration_seconds_count{http_request_method="GET",http_route="/a",http_response_status_code="200"} 5
http_server_request_duration_seconds_count{http_request_method="GET",http_route="/a",http_response_status_code="503"} 2
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/a",http_response_status_code="200",le="+Inf"} 5
http_server_request_duration_seconds_bucket{http_request_method="GET",http_route="/a",http_response_status_code="503",le="+Inf"} 2
# HELP user_signups_total Completed sign-ups.
# TYPE user_signups_total counter
user_signups_total{plan="pro"} 2
user_signups_total{plan="free"} 5
# HELP cart_size Items.
# TYPE cart_size histogram
cart_size_bucket{le="+Inf"} 4
cart_size_sum 10
cart_size_count 4
process_open_fds 12
# TYPE target_info gauge
target_info{service_name="shop",service_instance_id="a",service_version="1"} 1
# TYPE tokio_workers gauge
tokio_workers 2
# TYPE db_client_connections_max gauge
db_client_connections_max{pool="main"} 5
"#;
        let snapshot = Snapshot::from_text(text, 100.0);
        assert_eq!(
            snapshot.business.keys().collect::<Vec<_>>(),
            ["cart_size", "user_signups_total"],
            "the framework's own families are not business metrics"
        );
        let pay = &snapshot.functions[&("shop".to_owned(), "pay".to_owned())];
        assert_eq!((pay.calls, pay.errors), (4.0, 1.0));
        assert_eq!(pay.buckets, vec![(0.1, 2.0), (f64::INFINITY, 4.0)]);
        let route = &snapshot.routes[&("GET".to_owned(), "/a".to_owned())];
        assert_eq!((route.calls, route.errors), (7.0, 2.0));
        assert_eq!(route.buckets, vec![(f64::INFINITY, 7.0)]);
        let signups = &snapshot.business["user_signups_total"];
        assert_eq!(
            (signups.kind, signups.value, signups.series),
            (MetricKind::Counter, 7.0, 2)
        );
        assert_eq!(signups.help, "Completed sign-ups.");
        let cart = &snapshot.business["cart_size"];
        assert_eq!(
            (cart.kind, cart.value, cart.sum),
            (MetricKind::Histogram, 4.0, 10.0)
        );
        assert_eq!(snapshot.process.open_fds, Some(12.0));
    }
}
