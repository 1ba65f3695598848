//! One reading of the registry: the cumulative figures of every monitored function,
//! HTTP route and business metric at one instant.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::model::{self, Exemplar, Family, Histogram, Kind, Labels, Text, Value};

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
    /// The finite upper bounds of the duration histogram's buckets, increasing
    /// (those of the runtime's own histograms are shared by every reading).
    pub bounds: Cow<'static, [f64]>,
    /// The cumulative count of each bound's bucket.
    pub cumulative: Vec<u64>,
    /// Durations counted (the `+Inf` bucket's cumulative count).
    pub count: u64,
    /// The traced calls kept beside the duration buckets (those of every series,
    /// a route's of each status code), by reading of the registry; the history
    /// keeps them for its latest reading only.
    pub exemplars: Vec<BucketExemplar>,
}

/// A traced call kept beside a bucket of a duration histogram: its exemplar.
/// Serialised with its trace id as 32 lowercase hex digits, its bucket's bound
/// `null` for `+Inf`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BucketExemplar {
    /// The upper bound of its bucket (`+Inf` for the last).
    #[serde(serialize_with = "super::finite_or_null")]
    pub upper: f64,
    /// The trace it belonged to (W3C: 128 bits, never zero).
    #[serde(serialize_with = "hex_trace_id")]
    pub trace_id: u128,
    /// Its duration, seconds.
    pub seconds: f64,
    /// When it was kept, seconds since the Unix epoch.
    pub at: f64,
}

fn hex_trace_id<S: serde::Serializer>(id: &u128, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("{id:032x}"))
}

impl BucketExemplar {
    /// The exemplar of bucket `bucket` (an index into `bounds`, `bounds.len()` for
    /// `+Inf`); `None` without a valid `trace_id` label (32 hex digits, not all
    /// zero) or a timestamp.
    fn read(bounds: &[f64], bucket: usize, exemplar: &Exemplar) -> Option<Self> {
        let hex = exemplar.labels.get("trace_id")?;
        if hex.len() != 32 || !hex.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        let trace_id = u128::from_str_radix(hex, 16).ok().filter(|id| *id != 0)?;
        Some(Self {
            upper: bounds.get(bucket).copied().unwrap_or(f64::INFINITY),
            trace_id,
            seconds: exemplar.value,
            at: exemplar.timestamp?,
        })
    }
}

impl Timed {
    /// The cumulative `(upper bound, count)` pairs of the duration histogram, `+Inf`
    /// last (none before the first duration is read).
    pub fn buckets(&self) -> Vec<(f64, f64)> {
        if self.bounds.is_empty() && self.count == 0 {
            return Vec::new();
        }
        self.bounds
            .iter()
            .zip(&self.cumulative)
            .map(|(bound, count)| (*bound, *count as f64))
            .chain([(f64::INFINITY, self.count as f64)])
            .collect()
    }

    /// The cumulative count at `bound`: that of the greatest bound not above it
    /// (so a lower estimate when `bound` is not one of the bounds).
    fn cumulative_at(&self, bound: f64) -> u64 {
        if bound == f64::INFINITY {
            return self.count;
        }
        match self.bounds.partition_point(|known| *known <= bound) {
            0 => 0,
            at => self.cumulative.get(at - 1).copied().unwrap_or(self.count),
        }
    }

    /// Adds a histogram's sum and buckets, taking them over when they are the first
    /// (no copy: a reading owns its snapshot's buckets); those of several series of
    /// the same bounds add up bucket by bucket.
    fn add_histogram(&mut self, histogram: Histogram) {
        self.duration_sum += histogram.sum;
        self.exemplars
            .extend(histogram.exemplars.iter().filter_map(|(bucket, exemplar)| {
                BucketExemplar::read(&histogram.bounds, *bucket, exemplar)
            }));
        let (bounds, cumulative) = match (histogram.bounds.is_empty(), histogram.native) {
            (true, Some(native)) => {
                // Native buckets only: their bounds stand in for classic ones.
                let mut bounds = Vec::with_capacity(native.positive.len() + 1);
                let mut cumulative = Vec::with_capacity(native.positive.len() + 1);
                let mut running = native.zero_count;
                bounds.push(native.zero_threshold);
                cumulative.push(running);
                for (key, count) in &native.positive {
                    running += count;
                    bounds.push(native.upper_bound(*key));
                    cumulative.push(running);
                }
                (Cow::Owned(bounds), cumulative)
            }
            _ => (histogram.bounds, histogram.cumulative),
        };
        let count = histogram.count;
        if self.count == 0 && self.bounds.is_empty() {
            (self.bounds, self.cumulative, self.count) = (bounds, cumulative, count);
            return;
        }
        let same_bounds = bounds.len() == self.bounds.len()
            && (std::ptr::eq(bounds.as_ptr(), self.bounds.as_ptr()) || bounds == self.bounds);
        if same_bounds && cumulative.len() == self.cumulative.len() {
            for (total, count) in self.cumulative.iter_mut().zip(&cumulative) {
                *total += count;
            }
            self.count += count;
            return;
        }
        // Other bounds: the union of both, each cumulative count read at every bound.
        let other = Timed {
            bounds,
            cumulative,
            count,
            ..Timed::default()
        };
        let mut union: Vec<f64> = self
            .bounds
            .iter()
            .chain(other.bounds.iter())
            .copied()
            .collect();
        union.sort_by(f64::total_cmp);
        union.dedup();
        let cumulative = union
            .iter()
            .map(|bound| self.cumulative_at(*bound) + other.cumulative_at(*bound))
            .collect();
        self.bounds = Cow::Owned(union);
        self.cumulative = cumulative;
        self.count += other.count;
    }

    /// The figures of `self` less those of `older` (a counter that went down was
    /// reset, and counts from zero), at `self`'s bounds.
    pub(super) fn since(&self, older: &Timed) -> Timed {
        let cumulative = self
            .bounds
            .iter()
            .zip(&self.cumulative)
            .map(|(bound, after)| {
                increase(older.cumulative_at(*bound) as f64, *after as f64) as u64
            })
            .collect();
        Timed {
            calls: increase(older.calls, self.calls),
            errors: increase(older.errors, self.errors),
            in_flight: self.in_flight,
            duration_sum: increase(older.duration_sum, self.duration_sum),
            bounds: self.bounds.clone(),
            cumulative,
            count: increase(older.count as f64, self.count as f64) as u64,
            exemplars: Vec::new(),
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
    pub functions: Timings,
    /// `(method, route)` → figures of an HTTP route, over every status code.
    pub routes: Timings,
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
    /// Reads a [`model::Snapshot`](crate::core::model::Snapshot) taken at `at` seconds
    /// since the Unix epoch: no text is parsed, and the histograms' buckets are taken
    /// over, not copied.
    pub fn from_model(model: model::Snapshot, at: f64) -> Self {
        let mut snapshot = Self {
            at,
            ..Self::default()
        };
        for family in model.families {
            let name = family.name.as_ref();
            if name.starts_with("function_calls_") {
                function_family(&mut snapshot.functions, family);
            } else if name.starts_with("http_server_") {
                route_family(&mut snapshot.routes, family);
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
                snapshot.business_family(&family);
            }
        }
        snapshot.functions.done();
        snapshot.routes.done();
        snapshot
    }
}

/// The figures of every function (keyed by module and function) or route (by
/// method and route), sorted by key.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    entries: Vec<((Text, Text), Timed)>,
    /// While reading: where the next look-up tries first (the families of one part
    /// list their series in one order, usually the order of the keys, so that
    /// reading a family in that order is one pass), and the address of the last
    /// label set kept for the program's life found for each entry (a series with
    /// the same labels is known without reading them).
    next: usize,
    addresses: Vec<usize>,
}

impl PartialEq for Timings {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Timings {
    /// The figures of `key`.
    pub fn get(&self, key: &(Text, Text)) -> Option<&Timed> {
        let wanted = (key.0.as_ref(), key.1.as_ref());
        self.entries
            .binary_search_by(|(known, _)| (known.0.as_ref(), known.1.as_ref()).cmp(&wanted))
            .ok()
            .map(|at| &self.entries[at].1)
    }

    /// Sets the figures of `key`.
    pub fn insert(&mut self, key: (Text, Text), timed: Timed) {
        *self.entry(&key.0, &key.1) = timed;
    }

    /// The keys and their figures, sorted by key.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&(Text, Text), &Timed)> {
        self.entries.iter().map(|(key, timed)| (key, timed))
    }

    /// Makes room for `keys` keys in all.
    fn expect(&mut self, keys: usize) {
        let more = keys.saturating_sub(self.entries.len());
        self.entries.reserve(more);
        self.addresses.reserve(more);
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a Timings {
    type Item = (&'a (Text, Text), &'a Timed);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, ((Text, Text), Timed)>,
        fn(&'a ((Text, Text), Timed)) -> (&'a (Text, Text), &'a Timed),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(key, timed)| (key, timed))
    }
}

impl std::ops::Index<&(Text, Text)> for Timings {
    type Output = Timed;

    /// The figures of `key`; panics when there are none.
    fn index(&self, key: &(Text, Text)) -> &Timed {
        self.get(key)
            .unwrap_or_else(|| panic!("no figures of {key:?}"))
    }
}

impl Timings {
    /// The figures of `(a, b)`, added when new.
    fn entry(&mut self, a: &Text, b: &Text) -> &mut Timed {
        let at = self.position(a, b);
        self.next = at + 1;
        &mut self.entries[at].1
    }

    /// The figures of the series of `labels`, whose key `key` reads (`None`: not
    /// one of these figures): by the labels' address when it is known, else by key.
    fn entry_of(
        &mut self,
        labels: &Labels,
        key: fn(&Labels) -> Option<(&Text, &Text)>,
    ) -> Option<&mut Timed> {
        let address = labels.address().filter(|_| labels.len() >= 2);
        if let Some(address) = address {
            for at in [self.next, self.next.wrapping_sub(1)] {
                if self.addresses.get(at) == Some(&address) {
                    self.next = at + 1;
                    return Some(&mut self.entries[at].1);
                }
            }
        }
        let (a, b) = key(labels)?;
        let at = self.position(a, b);
        if let Some(address) = address {
            self.addresses[at] = address;
        }
        self.next = at + 1;
        Some(&mut self.entries[at].1)
    }

    /// Where `(a, b)` is, added when new.
    fn position(&mut self, a: &Text, b: &Text) -> usize {
        fn as_str((a, b): &(Text, Text)) -> (&str, &str) {
            (a.as_ref(), b.as_ref())
        }
        /// Equal keys; the label values of the runtime's own series are the same
        /// text in every family, so that comparing addresses mostly suffices.
        fn same((a, b): (&str, &str), (c, d): (&str, &str)) -> bool {
            let same_text =
                |x: &str, y: &str| (x.as_ptr() == y.as_ptr() && x.len() == y.len()) || x == y;
            same_text(b, d) && same_text(a, c)
        }
        let wanted = (a.as_ref(), b.as_ref());
        let next = self.next;
        let at = if next == self.entries.len()
            && self
                .entries
                .last()
                .is_none_or(|(last, _)| as_str(last) < wanted)
        {
            // Past the end, after the last key: a new last key.
            Err(next)
        } else if next > 0 && same(as_str(&self.entries[next - 1].0), wanted) {
            // The last key found again.
            Ok(next - 1)
        } else if let Some((known, _)) = self.entries.get(next)
            && same(as_str(known), wanted)
        {
            // The key after it.
            Ok(next)
        } else {
            self.entries
                .binary_search_by(|(known, _)| as_str(known).cmp(&wanted))
        };
        at.unwrap_or_else(|at| {
            self.entries
                .insert(at, ((a.clone(), b.clone()), Timed::default()));
            // Kept as long as the entries while reading, dropped after.
            self.addresses.resize(self.entries.len() - 1, 0);
            self.addresses.insert(at, 0);
            at
        })
    }

    /// Drops the exemplars of every entry (a reading kept in the history, no longer
    /// its latest).
    pub(super) fn drop_exemplars(&mut self) {
        for (_, timed) in &mut self.entries {
            timed.exemplars = Vec::new();
        }
    }

    /// Done reading: the look-up hints go.
    fn done(&mut self) {
        self.next = 0;
        self.addresses = Vec::new();
    }
}

/// The series of a `function_calls_*` family, into the figures of each function.
fn function_family(functions: &mut Timings, family: Family) {
    /// The function's key: `(module, function)`.
    fn key(labels: &Labels) -> Option<(&Text, &Text)> {
        // Sorted by name, the runtime's own label sets start with `function` and
        // `module`: read by place, looked up otherwise.
        if let [(first, function), (second, module), ..] = labels.pairs()
            && first.as_bytes() == b"function"
            && second.as_bytes() == b"module"
        {
            return Some((module, function));
        }
        Some((labels.get_text("module")?, labels.get_text("function")?))
    }
    match family.name.as_ref() {
        "function_calls_total" => {
            functions.expect(family.series.len().div_ceil(2));
            for series in &family.series {
                let Some(timed) = functions.entry_of(&series.labels, key) else {
                    continue;
                };
                let calls = series.value.scalar();
                timed.calls += calls;
                // The runtime's own sets: `function`, `module`, `result`.
                let is_error = match series.labels.pairs() {
                    [_, _, (name, value)] if name.as_bytes() == b"result" => {
                        value.as_bytes() == b"error"
                    }
                    _ => series.labels.get("result") == Some("error"),
                };
                if is_error {
                    timed.errors += calls;
                }
            }
        }
        "function_calls_concurrent" => {
            functions.expect(family.series.len());
            for series in &family.series {
                if let Some(timed) = functions.entry_of(&series.labels, key) {
                    timed.in_flight += series.value.scalar();
                }
            }
        }
        "function_calls_duration_seconds" => {
            functions.expect(family.series.len());
            for series in family.series {
                let Value::Histogram(histogram) = series.value else {
                    continue;
                };
                if let Some(timed) = functions.entry_of(&series.labels, key) {
                    timed.add_histogram(histogram);
                }
            }
        }
        _ => {}
    }
}

/// The series of an `http_server_*` family, into the figures of each route.
fn route_family(routes: &mut Timings, family: Family) {
    /// The route's key: `(method, route)`.
    fn key(labels: &Labels) -> Option<(&Text, &Text)> {
        Some((
            labels.get_text("http_request_method")?,
            labels.get_text("http_route")?,
        ))
    }
    match family.name.as_ref() {
        "http_server_request_duration_seconds" => {
            for series in family.series {
                let (Some((method, route)), Value::Histogram(histogram)) =
                    (key(&series.labels), series.value)
                else {
                    continue;
                };
                let timed = routes.entry(method, route);
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
        }
        "http_server_active_requests" => {
            for series in &family.series {
                if let Some((method, route)) = key(&series.labels) {
                    routes.entry(method, route).in_flight += series.value.scalar();
                }
            }
        }
        _ => {}
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

/// What a counter went up by between two readings; a counter that went down was
/// reset (a restart), and counts from zero.
pub(super) fn increase(before: f64, after: f64) -> f64 {
    if after >= before {
        after - before
    } else {
        after
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Family, Kind, Labels, Value};

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
        let snapshot = Snapshot::from_model(model::Snapshot { families }, 100.0);
        assert_eq!(
            snapshot.business.keys().collect::<Vec<_>>(),
            ["cart_size", "user_signups_total"],
            "the framework's own families are not business metrics"
        );
        let pay = &snapshot.functions[&("shop".into(), "pay".into())];
        assert_eq!((pay.calls, pay.errors), (4.0, 1.0));
        assert_eq!(pay.buckets(), vec![(0.1, 2.0), (f64::INFINITY, 4.0)]);
        let route = &snapshot.routes[&("GET".into(), "/a".into())];
        assert_eq!((route.calls, route.errors), (7.0, 2.0));
        assert_eq!(route.buckets(), vec![(f64::INFINITY, 7.0)]);
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

    #[test]
    fn histograms_of_other_bounds_add_up_at_every_bound_and_differences_keep_the_newer_bounds() {
        let mut timed = Timed::default();
        let Value::Histogram(first) = histogram(&[0.1, 1.0], &[2, 1, 1], 1.0) else {
            unreachable!()
        };
        timed.add_histogram(first);
        let Value::Histogram(second) = histogram(&[0.5], &[3, 1], 2.0) else {
            unreachable!()
        };
        timed.add_histogram(second);
        // At 0.5 the first histogram has counted at least its 2 below 0.1.
        assert_eq!(
            timed.buckets(),
            [(0.1, 2.0), (0.5, 5.0), (1.0, 6.0), (f64::INFINITY, 8.0)]
        );
        assert_eq!(timed.duration_sum, 3.0);
        let older = Timed {
            bounds: vec![0.1].into(),
            cumulative: vec![1],
            count: 2,
            ..Timed::default()
        };
        let delta = timed.since(&older);
        assert_eq!(
            delta.buckets(),
            [(0.1, 1.0), (0.5, 4.0), (1.0, 5.0), (f64::INFINITY, 6.0)]
        );
        assert!(Timed::default().buckets().is_empty());
    }
}
