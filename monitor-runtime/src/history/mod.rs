//! A short history of the registry for the built-in dashboard: a sampler reads every
//! monitored function, HTTP route and business metric every few seconds and keeps
//! the readings of the last hour in a ring buffer; [`History::view`] turns them into
//! rates, error ratios and latency percentiles per step.
//!
//! # What it keeps, and how much memory that takes
//!
//! The sampler (one thread, `monitor-history`, started by the exporter's routes or by
//! [`start`]) takes a [`Snapshot`] every [`interval`] (5 s by default) and keeps those
//! of the last hour: at most `3600 / interval + 1` readings (721 by default), the oldest
//! dropped first. A reading holds, per function and per route, five numbers and the
//! cumulative count of each histogram bucket (the bounds of the runtime's own
//! histograms are shared by every reading), and per business metric family five
//! numbers: about `(functions + routes) × (buckets × 8 + 150)` bytes plus the names.
//! For 50 functions and routes with about 16 buckets each that is about 14 KiB a
//! reading, 10 MiB for the hour.
//!
//! # How precise the percentiles are
//!
//! Latencies come from histograms, so a percentile is only known to lie in one bucket.
//! [`Quantile`] gives the estimate Prometheus' `histogram_quantile` would (linear
//! interpolation inside the bucket) together with that bucket's bounds: the true value
//! lies between `lower` and `upper`. Past the highest finite bound the estimate is that
//! bound and `upper` is infinite.
//!
//! (`tests::a_reading_gives_rates_and_bucket_bounds` shows it on two readings.)
//!
//! # Which traced call explains a percentile
//!
//! A histogram keeps one exemplar (a traced call) per bucket, the latest of its
//! bucket. Only the latest reading keeps them (a few dozen bytes per bucket that has
//! one): every slot's latest call is in it, so older readings add nothing. Next to
//! the recent p99 of each function and route, [`TimedView::p99_exemplar`] is the
//! exemplar [`explaining`] picks: kept within the recent past, in the p99's bucket or
//! a higher one, the highest bucket's, the most recent among equals.

mod snapshot;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use snapshot::increase;
pub use snapshot::{BucketExemplar, MetricKind, Snapshot, Timed, Timings};

use crate::core::ignore_poison;

/// How far back the history goes.
pub const RETENTION: Duration = Duration::from_secs(3600);

/// The shortest interval [`set_interval`] accepts.
pub const MIN_INTERVAL: Duration = Duration::from_millis(50);

static INTERVAL_MS: AtomicU64 = AtomicU64::new(5000);

/// The time between two readings of the sampler.
pub fn interval() -> Duration {
    Duration::from_millis(INTERVAL_MS.load(Ordering::Relaxed))
}

/// Sets the time between two readings (at least `MIN_INTERVAL`, 50 ms); the sampler uses
/// it from its next reading on, and the history keeps at most `RETENTION / interval + 1`
/// readings. A shorter interval gives finer charts and costs more memory and more
/// reads of the registry.
pub fn set_interval(interval: Duration) {
    let interval = interval.max(MIN_INTERVAL);
    INTERVAL_MS.store(
        u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
    ignore_poison(global().lock()).max_samples = max_samples(interval);
}

fn max_samples(interval: Duration) -> usize {
    let steps = RETENTION.as_secs_f64() / interval.as_secs_f64();
    // At most one reading per `MIN_INTERVAL` over the hour, whatever the setting.
    (steps.ceil() as usize + 1).min(72_001)
}

/// The process-wide history the sampler fills.
pub fn global() -> &'static Mutex<History> {
    static GLOBAL: OnceLock<Mutex<History>> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        let mut history = History::new(RETENTION);
        history.max_samples = max_samples(interval());
        Mutex::new(history)
    })
}

/// Starts the sampler thread, once: it reads the global registry now and then every
/// [`interval`]. Later calls do nothing. The exporter's routes call it.
pub fn start() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        sample_now();
        let spawned = std::thread::Builder::new()
            .name("monitor-history".to_owned())
            .spawn(|| {
                loop {
                    std::thread::sleep(interval());
                    sample_now();
                }
            });
        if let Err(error) = spawned {
            tracing::error!(%error, "monitor: the dashboard history sampler could not start");
        }
    });
}

/// Reads the global registry now and adds the reading to the global history.
pub fn sample_now() {
    let snapshot = Snapshot::from_model(crate::core::snapshot(), unix_now());
    ignore_poison(global().lock()).record(snapshot);
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// Readings of the registry, oldest first, at most [`RETENTION`] apart.
#[derive(Debug, Clone)]
pub struct History {
    samples: VecDeque<Snapshot>,
    retention: f64,
    max_samples: usize,
}

impl History {
    /// An empty history keeping the readings of the last `retention`.
    pub fn new(retention: Duration) -> Self {
        Self {
            samples: VecDeque::new(),
            retention: retention.as_secs_f64(),
            max_samples: max_samples(MIN_INTERVAL),
        }
    }

    /// Adds a reading, dropping those older than the retention (and the oldest when
    /// the history is full). A reading older than the latest is ignored.
    pub fn record(&mut self, snapshot: Snapshot) {
        if self.latest().is_some_and(|latest| snapshot.at < latest.at) {
            return;
        }
        let newest = snapshot.at;
        // Only the latest reading's exemplars are read (each slot keeps its latest
        // traced call, so the latest reading holds every one still of interest).
        if let Some(latest) = self.samples.back_mut() {
            latest.functions.drop_exemplars();
            latest.routes.drop_exemplars();
        }
        self.samples.push_back(snapshot);
        while self.samples.len() > self.max_samples.max(2)
            || self
                .samples
                .front()
                .is_some_and(|oldest| newest - oldest.at > self.retention)
        {
            self.samples.pop_front();
        }
    }

    /// Whether it holds no reading.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// How many readings it holds.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// The latest reading.
    pub fn latest(&self) -> Option<&Snapshot> {
        self.samples.back()
    }

    /// Rates, ratios and percentiles per step between consecutive readings, and over
    /// the `recent` past (from the oldest reading at most `recent` before the latest).
    pub fn view(&self, recent: Duration) -> HistoryView {
        self.view_with(None, recent)
    }

    /// As [`History::view`], with `now` (a reading not kept, newer than the latest)
    /// as the last step: what exists now is shown even before the sampler reads it.
    pub fn view_with(&self, now: Option<&Snapshot>, recent: Duration) -> HistoryView {
        let newer = now.filter(|now| self.latest().is_none_or(|latest| now.at > latest.at));
        let samples: Vec<&Snapshot> = self.samples.iter().chain(newer).collect();
        let mut view = HistoryView {
            times: samples.iter().skip(1).map(|sample| sample.at).collect(),
            started_at: samples.first().map(|sample| sample.at),
            ..HistoryView::default()
        };
        let Some(latest) = samples.last().copied() else {
            return view;
        };
        let recent_start = samples
            .iter()
            .copied()
            .find(|sample| latest.at - sample.at <= recent.as_secs_f64())
            .filter(|sample| sample.at < latest.at);
        let steps: Vec<(&Snapshot, &Snapshot)> = samples
            .iter()
            .copied()
            .zip(samples.iter().copied().skip(1))
            .collect();
        view.recent_seconds = recent_start.map(|start| latest.at - start.at);
        for (key, now) in &latest.functions {
            let pick = |snapshot: &Snapshot| snapshot.functions.get(key).cloned();
            view.functions.push(timed_view(
                &key.0,
                &key.1,
                now,
                recent_start.map(|start| (start, latest)),
                &steps,
                pick,
            ));
        }
        for (key, now) in &latest.routes {
            let pick = |snapshot: &Snapshot| snapshot.routes.get(key).cloned();
            view.routes.push(timed_view(
                &key.0,
                &key.1,
                now,
                recent_start.map(|start| (start, latest)),
                &steps,
                pick,
            ));
        }
        for (name, now) in &latest.business {
            let rate_between = |older: &Snapshot, newer: &Snapshot| {
                let before = older.business.get(name).map_or(0.0, |b| b.value);
                let after = newer.business.get(name).map_or(0.0, |b| b.value);
                (now.kind != MetricKind::Gauge)
                    .then(|| increase(before, after) / (newer.at - older.at))
            };
            view.business.push(BusinessView {
                name: name.clone(),
                kind: now.kind.as_str(),
                help: now.help.clone(),
                value: now.value,
                mean: (now.kind == MetricKind::Histogram && now.value > 0.0)
                    .then(|| now.sum / now.value),
                label_sets: now.series,
                recent_rate: recent_start.and_then(|start| rate_between(start, latest)),
                series: BusinessSeries {
                    value: steps
                        .iter()
                        .map(|(_, newer)| newer.business.get(name).map(|b| b.value))
                        .collect(),
                    rate: steps
                        .iter()
                        .map(|(older, newer)| rate_between(older, newer))
                        .collect(),
                },
            });
        }
        view
    }
}

/// The figures of `newer` less those of `older`.
fn difference(older: Option<&Timed>, newer: &Timed) -> Timed {
    match older {
        Some(older) => newer.since(older),
        None => newer.clone(),
    }
}

fn window(older: Option<&Timed>, newer: &Timed, seconds: f64) -> Window {
    let delta = difference(older, newer);
    let buckets = delta.buckets();
    Window {
        rate: (seconds > 0.0).then(|| delta.calls / seconds),
        error_ratio: (delta.calls > 0.0).then(|| delta.errors / delta.calls),
        mean_seconds: (delta.calls > 0.0).then(|| delta.duration_sum / delta.calls),
        p50: quantile(0.5, &buckets),
        p95: quantile(0.95, &buckets),
        p99: quantile(0.99, &buckets),
    }
}

/// The traced call that explains a `percentile` of the durations of a window
/// that started at `since` (seconds since the Unix epoch), among `exemplars` (one
/// per bucket and series, each the latest traced call of its bucket):
///
/// 1. only exemplars kept at or after `since`, so calls the percentile counts;
/// 2. only those of the percentile's bucket or a higher one (whose upper bound is
///    above the percentile's lower bound), so calls at least as slow as the
///    percentile can be;
/// 3. of those, the one of the highest bucket (the slowest traced call), and among
///    several of that bucket (series of different status codes) the most recent.
///
/// `None` when no traced call qualifies: an untraced call is never guessed at.
pub fn explaining(
    percentile: &Quantile,
    since: f64,
    exemplars: &[BucketExemplar],
) -> Option<BucketExemplar> {
    exemplars
        .iter()
        .filter(|exemplar| exemplar.at >= since && exemplar.upper > percentile.lower)
        .max_by(|a, b| a.upper.total_cmp(&b.upper).then(a.at.total_cmp(&b.at)))
        .copied()
}

fn timed_view(
    group: &str,
    name: &str,
    now: &Timed,
    recent: Option<(&Snapshot, &Snapshot)>,
    steps: &[(&Snapshot, &Snapshot)],
    pick: impl Fn(&Snapshot) -> Option<Timed>,
) -> TimedView {
    let since = recent.map(|(start, _)| start.at);
    let recent = recent.map_or_else(Window::default, |(start, end)| {
        window(pick(start).as_ref(), now, end.at - start.at)
    });
    let p99_exemplar = recent
        .p99
        .as_ref()
        .zip(since)
        .and_then(|(p99, since)| explaining(p99, since, &now.exemplars));
    let mut series = TimedSeries::default();
    for (older, newer) in steps {
        let step = pick(newer).map_or_else(Window::default, |newer_figures| {
            window(pick(older).as_ref(), &newer_figures, newer.at - older.at)
        });
        series.rate.push(step.rate);
        series.error_ratio.push(step.error_ratio);
        series.p50.push(step.p50.map(|q| q.value));
        series.p95.push(step.p95.map(|q| q.value));
        series.p99.push(step.p99.map(|q| q.value));
    }
    TimedView {
        group: group.to_owned(),
        name: name.to_owned(),
        calls: now.calls,
        errors: now.errors,
        in_flight: now.in_flight,
        recent,
        p99_exemplar,
        series,
    }
}

/// The `q` quantile (0..1) of the observations counted in cumulative `buckets`
/// (`+Inf` last), as Prometheus' `histogram_quantile` estimates it, with the bounds
/// of the bucket it falls in. `None` without observations.
pub fn quantile(q: f64, buckets: &[(f64, f64)]) -> Option<Quantile> {
    let total = buckets.last()?.1;
    if total <= 0.0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let rank = q * total;
    let index = buckets.iter().position(|(_, count)| *count >= rank)?;
    let (upper, count) = buckets[index];
    let (lower, below) = if index == 0 {
        (0.0_f64.min(upper), 0.0)
    } else {
        buckets[index - 1]
    };
    if upper.is_infinite() {
        return Some(Quantile {
            value: lower,
            lower,
            upper,
        });
    }
    let inside = count - below;
    let value = if inside > 0.0 {
        lower + (upper - lower) * (rank - below) / inside
    } else {
        upper
    };
    Some(Quantile {
        value,
        lower,
        upper,
    })
}

/// A percentile estimated from a histogram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantile {
    /// The estimate (linear interpolation inside the bucket), seconds.
    pub value: f64,
    /// The lower bound of the bucket it falls in: the true value is at least this.
    pub lower: f64,
    /// The upper bound of that bucket (infinite past the last finite bound).
    #[serde(serialize_with = "finite_or_null")]
    pub upper: f64,
}

fn finite_or_null<S: serde::Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.is_finite() {
        serializer.serialize_f64(*value)
    } else {
        serializer.serialize_none()
    }
}

/// Figures over a stretch of time.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Window {
    /// Calls per second; `None` for a stretch of no time.
    pub rate: Option<f64>,
    /// Errors over calls; `None` without calls.
    pub error_ratio: Option<f64>,
    /// Mean duration, seconds.
    pub mean_seconds: Option<f64>,
    /// Median duration.
    pub p50: Option<Quantile>,
    /// 95th percentile.
    pub p95: Option<Quantile>,
    /// 99th percentile.
    pub p99: Option<Quantile>,
}

/// Per-step figures of a function or route, one element per step of
/// [`HistoryView::times`].
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct TimedSeries {
    /// Calls per second.
    pub rate: Vec<Option<f64>>,
    /// Errors over calls.
    pub error_ratio: Vec<Option<f64>>,
    /// Median duration estimates, seconds.
    pub p50: Vec<Option<f64>>,
    /// 95th percentile estimates.
    pub p95: Vec<Option<f64>>,
    /// 99th percentile estimates.
    pub p99: Vec<Option<f64>>,
}

/// A function (`group` is its module) or an HTTP route (`group` is the method).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimedView {
    /// Module of a function, method of a route.
    pub group: String,
    /// Function name, or route template.
    pub name: String,
    /// Calls since start-up.
    pub calls: f64,
    /// Failed calls since start-up.
    pub errors: f64,
    /// In progress at the latest reading.
    pub in_flight: f64,
    /// Over the recent past.
    pub recent: Window,
    /// The traced call that explains the recent p99 (see [`explaining`]).
    pub p99_exemplar: Option<BucketExemplar>,
    /// Per step.
    pub series: TimedSeries,
}

/// Per-step figures of a business metric.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct BusinessSeries {
    /// Its value (a histogram: its count) at the end of each step.
    pub value: Vec<Option<f64>>,
    /// Counter and histogram: increase per second over each step.
    pub rate: Vec<Option<f64>>,
}

/// A business metric family, summed over its label sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusinessView {
    /// Family name.
    pub name: String,
    /// `counter`, `gauge` or `histogram`.
    pub kind: &'static str,
    /// Help text.
    pub help: String,
    /// Latest value (a histogram: its count of observations).
    pub value: f64,
    /// Histogram: mean observation.
    pub mean: Option<f64>,
    /// Label sets.
    pub label_sets: usize,
    /// Counter and histogram: increase per second over the recent past.
    pub recent_rate: Option<f64>,
    /// Per step.
    pub series: BusinessSeries,
}

/// What [`History::view`] computes.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct HistoryView {
    /// When the oldest reading was taken (the start of the first step), seconds since
    /// the Unix epoch.
    pub started_at: Option<f64>,
    /// End of each step, seconds since the Unix epoch.
    pub times: Vec<f64>,
    /// Length of the recent past actually covered, seconds.
    pub recent_seconds: Option<f64>,
    /// Every monitored function.
    pub functions: Vec<TimedView>,
    /// Every HTTP route.
    pub routes: Vec<TimedView>,
    /// Every business metric family.
    pub business: Vec<BusinessView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_gives_rates_and_bucket_bounds() {
        use super::{History, Snapshot};
        use crate::core::model::{self, Family, Histogram, Kind, Labels, Value};

        // `calls` calls of `pay`, `fast` of them within 10 ms.
        let reading = |calls: u64, fast: u64| {
            let labels = Labels::new([("function", "pay"), ("module", "shop")]);
            let mut durations = Family::new("function_calls_duration_seconds", "", Kind::Histogram);
            let histogram = Histogram::classic(vec![0.01], &[fast, calls - fast], 0.0);
            durations.push(labels.clone(), Value::Histogram(histogram));
            let mut total = Family::new("function_calls_total", "", Kind::Counter);
            total.push(labels.with("result", "ok"), Value::counter(calls as f64));
            model::Snapshot {
                families: vec![durations, total],
            }
        };
        let mut history = History::new(std::time::Duration::from_secs(3600));
        history.record(Snapshot::from_model(reading(0, 0), 0.0));
        history.record(Snapshot::from_model(reading(50, 40), 10.0)); // 50 calls in 10 s
        let view = history.view(std::time::Duration::from_secs(60));
        let pay = &view.functions[0];
        assert_eq!(pay.recent.rate, Some(5.0));
        let p50 = pay.recent.p50.unwrap();
        assert_eq!((p50.lower, p50.upper), (0.0, 0.01)); // 25 of 40 fast calls: in the first bucket
    }

    fn snapshot(at: f64, ok: f64, errors: f64, buckets: &[(f64, f64)]) -> Snapshot {
        let mut snapshot = Snapshot {
            at,
            ..Snapshot::default()
        };
        snapshot.functions.insert(
            ("shop".into(), "pay".into()),
            Timed {
                calls: ok + errors,
                errors,
                in_flight: 0.0,
                duration_sum: 0.0,
                bounds: buckets
                    .iter()
                    .filter(|(bound, _)| bound.is_finite())
                    .map(|(bound, _)| *bound)
                    .collect(),
                cumulative: buckets
                    .iter()
                    .filter(|(bound, _)| bound.is_finite())
                    .map(|(_, count)| *count as u64)
                    .collect(),
                count: buckets.last().map_or(0, |(_, count)| *count as u64),
                exemplars: Vec::new(),
            },
        );
        snapshot
    }

    #[test]
    fn rates_and_ratios_per_step_and_recently() {
        let inf = f64::INFINITY;
        let mut history = History::new(RETENTION);
        history.record(snapshot(0.0, 0.0, 0.0, &[(0.1, 0.0), (inf, 0.0)]));
        history.record(snapshot(5.0, 8.0, 2.0, &[(0.1, 10.0), (inf, 10.0)]));
        history.record(snapshot(10.0, 8.0, 2.0, &[(0.1, 10.0), (inf, 10.0)]));
        history.record(snapshot(15.0, 18.0, 2.0, &[(0.1, 10.0), (inf, 20.0)]));
        let view = history.view(Duration::from_secs(10));
        assert_eq!(view.times, vec![5.0, 10.0, 15.0]);
        let pay = &view.functions[0];
        assert_eq!(pay.series.rate, vec![Some(2.0), Some(0.0), Some(2.0)]);
        assert_eq!(pay.series.error_ratio, vec![Some(0.2), None, Some(0.0)]);
        // The last step: every call slower than the last finite bound.
        assert_eq!(pay.series.p50[2], Some(0.1));
        assert_eq!(view.recent_seconds, Some(10.0));
        assert_eq!(pay.recent.rate, Some(1.0));
        assert_eq!(pay.recent.error_ratio, Some(0.0));
        assert_eq!((pay.calls, pay.errors), (20.0, 2.0));
    }

    #[test]
    fn a_reset_counts_from_zero_and_old_readings_go() {
        let inf = f64::INFINITY;
        let mut history = History::new(Duration::from_secs(10));
        history.record(snapshot(0.0, 100.0, 0.0, &[(inf, 100.0)]));
        history.record(snapshot(5.0, 3.0, 0.0, &[(inf, 3.0)]));
        assert_eq!(
            history.view(RETENTION).functions[0].series.rate,
            vec![Some(0.6)]
        );
        history.record(snapshot(12.0, 3.0, 0.0, &[(inf, 3.0)]));
        assert_eq!(history.len(), 2, "the reading at 0 s is older than 10 s");
        history.record(snapshot(1.0, 0.0, 0.0, &[]));
        assert_eq!(history.len(), 2, "a reading from the past is ignored");
    }

    #[test]
    fn a_reading_of_now_ends_the_view() {
        let inf = f64::INFINITY;
        let mut history = History::new(RETENTION);
        history.record(Snapshot {
            at: 0.0,
            ..Snapshot::default()
        });
        let now = snapshot(4.0, 8.0, 0.0, &[(inf, 8.0)]);
        let view = history.view_with(Some(&now), RETENTION);
        assert_eq!(view.times, vec![4.0]);
        assert_eq!(view.functions[0].series.rate, vec![Some(2.0)]);
        // A reading older than the latest is left out.
        let stale = snapshot(-1.0, 8.0, 0.0, &[(inf, 8.0)]);
        assert!(
            history
                .view_with(Some(&stale), RETENTION)
                .functions
                .is_empty()
        );
    }

    #[test]
    fn quantiles_interpolate_inside_their_bucket() {
        let inf = f64::INFINITY;
        let buckets = [(0.001, 10.0), (0.01, 90.0), (0.1, 100.0), (inf, 100.0)];
        let p50 = quantile(0.5, &buckets).unwrap();
        assert_eq!((p50.lower, p50.upper), (0.001, 0.01));
        assert!((p50.value - (0.001 + 0.009 * 40.0 / 80.0)).abs() < 1e-12);
        let p99 = quantile(0.99, &buckets).unwrap();
        assert_eq!((p99.lower, p99.upper), (0.01, 0.1));
        assert!(quantile(0.5, &[(inf, 0.0)]).is_none());
        assert!(quantile(0.5, &[]).is_none());
        let over = quantile(0.5, &[(0.1, 0.0), (inf, 4.0)]).unwrap();
        assert_eq!((over.value, over.lower, over.upper), (0.1, 0.1, inf));
    }

    fn traced(upper: f64, trace_id: u128, at: f64) -> BucketExemplar {
        BucketExemplar {
            upper,
            trace_id,
            seconds: upper * 0.9,
            at,
        }
    }

    #[test]
    fn the_exemplar_shown_is_the_latest_of_the_highest_bucket_at_or_above_the_percentile() {
        let inf = f64::INFINITY;
        // The p99 lies in (0.01, 0.1]; the window started at 100 s.
        let p99 = Quantile {
            value: 0.05,
            lower: 0.01,
            upper: 0.1,
        };
        let below = traced(0.01, 1, 150.0);
        let inside = traced(0.1, 2, 150.0);
        let above = traced(1.0, 3, 120.0);
        let above_later = traced(1.0, 4, 130.0);
        let too_old = traced(inf, 5, 99.0);
        assert_eq!(
            explaining(&p99, 100.0, &[below]),
            None,
            "a faster call explains nothing"
        );
        assert_eq!(explaining(&p99, 100.0, &[below, inside]), Some(inside));
        assert_eq!(
            explaining(&p99, 100.0, &[below, inside, above_later, above, too_old]),
            Some(above_later),
            "the highest bucket, its latest call; not one from before the window"
        );
        // A percentile in the first bucket: every traced call is at or above it.
        let first = Quantile {
            value: 0.005,
            lower: 0.0,
            upper: 0.01,
        };
        assert_eq!(explaining(&first, 100.0, &[below]), Some(below));
    }

    #[test]
    fn a_view_shows_the_exemplar_of_the_recent_p99_from_the_latest_reading_only() {
        use crate::core::model::{self, Exemplar, Family, Histogram, Kind, Labels, Value};

        // `slow` calls of 0.5 s among `calls` of `pay`, the latest slow one traced
        // at `traced_at`.
        let reading = |calls: u64, slow: u64, traced_at: Option<f64>| {
            let labels = Labels::new([("function", "pay"), ("module", "shop")]);
            let mut durations = Family::new("function_calls_duration_seconds", "", Kind::Histogram);
            let mut histogram = Histogram::classic(vec![0.01, 1.0], &[calls - slow, slow, 0], 0.0);
            histogram.exemplars = traced_at
                .map(|at| {
                    let exemplar = Exemplar {
                        labels: Labels::new([
                            ("span_id", "00f067aa0ba902b7"),
                            ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
                        ]),
                        value: 0.5,
                        timestamp: Some(at),
                    };
                    (1, exemplar)
                })
                .into_iter()
                .collect();
            durations.push(labels, Value::Histogram(histogram));
            model::Snapshot {
                families: vec![durations],
            }
        };
        let mut history = History::new(RETENTION);
        history.record(Snapshot::from_model(reading(0, 0, None), 0.0));
        history.record(Snapshot::from_model(reading(100, 2, Some(8.0)), 10.0));
        let view = history.view(Duration::from_secs(60));
        let shown = view.functions[0].p99_exemplar.expect("the p99's exemplar");
        assert_eq!(shown.trace_id, 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736);
        assert_eq!((shown.upper, shown.seconds, shown.at), (1.0, 0.5, 8.0));
        let json = serde_json::to_value(view.functions[0].p99_exemplar).unwrap();
        assert_eq!(json["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");

        // A newer reading: the previous one's exemplars go; a window that starts
        // after the traced call shows none.
        history.record(Snapshot::from_model(reading(200, 4, Some(8.0)), 70.0));
        assert!(
            history.samples[1]
                .functions
                .iter()
                .all(|(_, t)| t.exemplars.is_empty())
        );
        let view = history.view(Duration::from_secs(60));
        assert!(view.functions[0].recent.p99.is_some());
        assert_eq!(
            view.functions[0].p99_exemplar, None,
            "kept before the window"
        );
    }
}
