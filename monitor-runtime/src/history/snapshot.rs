//! One reading of the registry: the cumulative figures of every monitored function,
//! HTTP route and business metric at one instant.

use std::collections::BTreeMap;

use crate::core::model::{self, Family, Histogram, Kind, Text, Value};

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
    /// Adds a histogram's sum and cumulative buckets (those of several series of
    /// the same bounds add up bucket by bucket).
    fn add_histogram(&mut self, histogram: &Histogram) {
        if histogram.bounds.is_empty()
            && let Some(native) = &histogram.native
        {
            // Native buckets only: their bounds stand in for classic ones.
            self.duration_sum += histogram.sum;
            let mut cumulative = native.zero_count;
            self.add_bucket(native.zero_threshold, cumulative as f64);
            for (key, count) in &native.positive {
                cumulative += count;
                self.add_bucket(native.upper_bound(*key), cumulative as f64);
            }
            self.add_bucket(f64::INFINITY, histogram.count as f64);
            return;
        }
        self.duration_sum += histogram.sum;
        let bounds = histogram.bounds.iter().chain([&f64::INFINITY]);
        if self.buckets.is_empty() {
            self.buckets = bounds
                .enumerate()
                .map(|(at, bound)| (*bound, histogram.cumulative_count(at) as f64))
                .collect();
            return;
        }
        if self.buckets.len() == histogram.bounds.len() + 1
            && self
                .buckets
                .iter()
                .zip(bounds)
                .all(|((le, _), bound)| le == bound)
        {
            for (at, (_, count)) in self.buckets.iter_mut().enumerate() {
                *count += histogram.cumulative_count(at) as f64;
            }
            return;
        }
        for (at, bound) in histogram.bounds.iter().enumerate() {
            self.add_bucket(*bound, histogram.cumulative_count(at) as f64);
        }
        self.add_bucket(f64::INFINITY, histogram.count as f64);
    }

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
    pub functions: BTreeMap<(Text, Text), Timed>,
    /// `(method, route)` → figures of an HTTP route, over every status code.
    pub routes: BTreeMap<(Text, Text), Timed>,
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
    /// Reads a [`model::Snapshot`](crate::model::Snapshot) taken at `at` seconds
    /// since the Unix epoch: no text is parsed.
    pub fn from_model(model: &model::Snapshot, at: f64) -> Self {
        let mut snapshot = Self {
            at,
            ..Self::default()
        };
        // Keyed by borrowed labels while reading, owned once per function or route.
        let mut functions = Keyed::default();
        let mut routes = Keyed::default();
        for family in &model.families {
            let name = family.name.as_ref();
            if name.starts_with("function_calls_") {
                function_family(&mut functions, family);
            } else if name.starts_with("http_server_") {
                route_family(&mut routes, family);
            } else if name.starts_with("process_") {
                let Some(value) = family.series.first().map(|series| series.value.scalar()) else {
                    continue;
                };
                let process = &mut snapshot.process;
                match name {
                    "process_cpu_seconds_total" => process.cpu_seconds = Some(value),
                    "process_resident_memory_bytes" => {
                        process.resident_memory_bytes = Some(value);
                    }
                    "process_open_fds" => process.open_fds = Some(value),
                    "process_max_fds" => process.max_fds = Some(value),
                    _ => {}
                }
            } else if !FRAMEWORK_PREFIXES
                .iter()
                .any(|prefix| name.starts_with(prefix))
            {
                snapshot.business_family(family);
            }
        }
        snapshot.functions = functions.into_owned();
        snapshot.routes = routes.into_owned();
        snapshot
    }
}

/// Figures by a key of two label values, kept sorted by key. The families of one
/// part list their series in one order, usually the order of the keys: a look-up
/// tries where the last one ended first (so reading a family in that order is one
/// pass), then searches.
#[derive(Default)]
struct Keyed<'a> {
    entries: Vec<((&'a Text, &'a Text), Timed)>,
    /// Where the next look-up tries first.
    next: usize,
}

impl<'a> Keyed<'a> {
    fn entry(&mut self, key: (&'a Text, &'a Text)) -> &mut Timed {
        fn as_str<'k>((a, b): (&'k Text, &'k Text)) -> (&'k str, &'k str) {
            (a.as_ref(), b.as_ref())
        }
        /// Equal keys; the label values of the runtime's own series are the same
        /// text in every family, so that comparing addresses mostly suffices.
        fn same((a, b): (&str, &str), (c, d): (&str, &str)) -> bool {
            let same_text =
                |x: &str, y: &str| (x.as_ptr() == y.as_ptr() && x.len() == y.len()) || x == y;
            same_text(b, d) && same_text(a, c)
        }
        let wanted = as_str(key);
        let at = match self.entries.get(self.next) {
            // The key after the last one found, or that one again.
            Some((known, _)) if same(as_str(*known), wanted) => Ok(self.next),
            _ if self.next > 0 && same(as_str(self.entries[self.next - 1].0), wanted) => {
                Ok(self.next - 1)
            }
            // Past the end, after the last key: a new last key.
            None if self
                .entries
                .last()
                .is_none_or(|(last, _)| as_str(*last) < wanted) =>
            {
                Err(self.entries.len())
            }
            _ => self
                .entries
                .binary_search_by(|(known, _)| as_str(*known).cmp(&wanted)),
        };
        let at = at.unwrap_or_else(|at| {
            self.entries.insert(at, (key, Timed::default()));
            at
        });
        self.next = at + 1;
        &mut self.entries[at].1
    }

    /// The figures with their keys (label values: borrowed for the runtime's own
    /// series, which live as long as the program), sorted.
    fn into_owned(self) -> BTreeMap<(Text, Text), Timed> {
        self.entries
            .into_iter()
            .map(|((a, b), timed)| ((a.clone(), b.clone()), timed))
            .collect()
    }
}

/// The series of a `function_calls_*` family, into the figures of each function.
fn function_family<'a>(functions: &mut Keyed<'a>, family: &'a Family) {
    functions.entries.reserve(family.series.len());
    for series in &family.series {
        let (Some(function), Some(module)) = (
            series.labels.get_text("function"),
            series.labels.get_text("module"),
        ) else {
            continue;
        };
        let key = (module, function);
        match (family.name.as_ref(), &series.value) {
            ("function_calls_total", value) => {
                let timed = functions.entry(key);
                let calls = value.scalar();
                timed.calls += calls;
                if series.labels.get("result") == Some("error") {
                    timed.errors += calls;
                }
            }
            ("function_calls_concurrent", value) => {
                functions.entry(key).in_flight += value.scalar();
            }
            ("function_calls_duration_seconds", Value::Histogram(histogram)) => {
                functions.entry(key).add_histogram(histogram);
            }
            _ => {}
        }
    }
}

/// The series of an `http_server_*` family, into the figures of each route.
fn route_family<'a>(routes: &mut Keyed<'a>, family: &'a Family) {
    for series in &family.series {
        let (Some(method), Some(route)) = (
            series.labels.get_text("http_request_method"),
            series.labels.get_text("http_route"),
        ) else {
            continue;
        };
        let key = (method, route);
        match (family.name.as_ref(), &series.value) {
            ("http_server_request_duration_seconds", Value::Histogram(histogram)) => {
                let timed = routes.entry(key);
                timed.calls += histogram.count as f64;
                if series
                    .labels
                    .get("http_response_status_code")
                    .is_some_and(|code| code.starts_with('5'))
                {
                    timed.errors += histogram.count as f64;
                }
                timed.add_histogram(histogram);
            }
            ("http_server_active_requests", value) => {
                routes.entry(key).in_flight += value.scalar();
            }
            _ => {}
        }
    }
}

impl Snapshot {
    fn business_family(&mut self, family: &Family) {
        let kind = match family.kind {
            Kind::Counter => MetricKind::Counter,
            Kind::Gauge => MetricKind::Gauge,
            Kind::Histogram => MetricKind::Histogram,
            // Summaries, info and untyped families: not shown.
            _ => return,
        };
        let entry = self
            .business
            .entry(family.name.to_string())
            .or_insert_with(|| Business {
                kind,
                help: family.help.to_string(),
                value: 0.0,
                sum: 0.0,
                series: 0,
            });
        for series in &family.series {
            entry.series += 1;
            match &series.value {
                Value::Histogram(histogram) => {
                    entry.value += histogram.count as f64;
                    entry.sum += histogram.sum;
                }
                value => entry.value += value.scalar(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Family, Kind, Labels, Value};

    fn histogram(bounds: &[f64], counts: &[u64], sum: f64) -> Value {
        Value::Histogram(Histogram::classic(bounds.to_vec(), counts, sum))
    }

    #[test]
    fn reads_functions_routes_and_business_metrics() {
        let pay = [("function", "pay"), ("module", "shop")];
        let mut calls = Family::new("function_calls_total", "calls", Kind::Counter);
        calls.push(Labels::new(pay).with("result", "ok"), Value::counter(3.0));
        calls.push(
            Labels::new(pay).with("result", "error"),
            Value::counter(1.0),
        );
        let mut durations = Family::new("function_calls_duration_seconds", "d", Kind::Histogram);
        durations.push(Labels::new(pay), histogram(&[0.1], &[2, 2], 0.9));
        let route = [("http_request_method", "GET"), ("http_route", "/a")];
        let mut requests =
            Family::new("http_server_request_duration_seconds", "r", Kind::Histogram);
        requests.push(
            Labels::new(route).with("http_response_status_code", "200"),
            histogram(&[], &[5], 1.0),
        );
        requests.push(
            Labels::new(route).with("http_response_status_code", "503"),
            histogram(&[], &[2], 1.0),
        );
        let mut signups = Family::new("user_signups_total", "Completed sign-ups.", Kind::Counter);
        signups.push(Labels::new([("plan", "pro")]), Value::counter(2.0));
        signups.push(Labels::new([("plan", "free")]), Value::counter(5.0));
        let mut cart = Family::new("cart_size", "Items.", Kind::Histogram);
        cart.push(Labels::empty(), histogram(&[], &[4], 10.0));
        let mut fds = Family::new("process_open_fds", "fds", Kind::Gauge);
        fds.push(Labels::empty(), Value::Gauge(12.0));
        let mut info = Family::new("target_info", "i", Kind::Info);
        info.push(Labels::new([("service_name", "shop")]), Value::Info);
        let mut workers = Family::new("tokio_workers", "w", Kind::Gauge);
        workers.push(Labels::empty(), Value::Gauge(2.0));
        let mut pool = Family::new("db_client_connections_max", "p", Kind::Gauge);
        pool.push(Labels::new([("pool", "main")]), Value::Gauge(5.0));
        let mut families = vec![
            calls, durations, requests, signups, cart, fds, info, workers, pool,
        ];
        families.sort_by(|a, b| a.name.cmp(&b.name));
        let snapshot = Snapshot::from_model(&model::Snapshot { families }, 100.0);
        assert_eq!(
            snapshot.business.keys().collect::<Vec<_>>(),
            ["cart_size", "user_signups_total"],
            "the framework's own families are not business metrics"
        );
        let pay = &snapshot.functions[&("shop".into(), "pay".into())];
        assert_eq!((pay.calls, pay.errors), (4.0, 1.0));
        assert_eq!(pay.buckets, vec![(0.1, 2.0), (f64::INFINITY, 4.0)]);
        let route = &snapshot.routes[&("GET".into(), "/a".into())];
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
