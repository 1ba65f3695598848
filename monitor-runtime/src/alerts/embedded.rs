//! The embedded evaluator: the same alert definitions the rule file carries,
//! evaluated in the process over a short history of its own figures, with the
//! pending/firing semantics and `for` of Prometheus.
//!
//! Each [`Evaluator::record`] keeps the samples of one [`model::Snapshot`] (those
//! a Prometheus scrape of `/metrics` would store, read from the model: no text is
//! written or parsed); [`Evaluator::evaluate`] runs every alert over the snapshots
//! kept.
//! A rate over a window is the increase between the oldest snapshot inside the
//! window and the newest, per second (counters of one process never reset; a series
//! created inside the window counts from 0; unlike Prometheus, nothing is
//! extrapolated to the window's edges).
//!
//! What the history covers ([`EmbeddedAlerts::retention`], one hour by default) is
//! what is evaluated: a burn-rate alert keeps the window pairs that fit (with the
//! defaults, the page's 1 h / 5 m pair, not its 6 h / 30 m one), an alert none of
//! whose windows fit (the 1 d and 3 d ticket alerts) is left out, and
//! [`Evaluator::skipped`] lists those. Every default threshold alert fits.
//! `TargetDown` is never evaluated in the process: a process does not see itself
//! unscraped.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::configured::current;
use super::generate::{AlertDefinition, AlertSet};
use super::query::{Labels, Selector, SeriesSource, Vector};
use crate::core::{for_each_sample, ignore_poison, model};

/// How the embedded evaluator runs: how often it samples and evaluates, how much
/// history it keeps, where it sends notifications. Nothing runs until it is
/// started with `EmbeddedAlerts::start` (feature `http`), which returns the
/// [`Background`](crate::Background) handle of the evaluation loop.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::alerts::EmbeddedAlerts;
///
/// let config = EmbeddedAlerts::new()
///     .interval(Duration::from_secs(10))
///     .alertmanager("http://127.0.0.1:9093")
///     .webhook("http://127.0.0.1:8080/hooks/alerts");
/// assert_eq!(config.interval_value(), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedAlerts {
    pub(crate) interval: Duration,
    pub(crate) retention: Duration,
    pub(crate) alertmanager: Option<String>,
    pub(crate) webhook: Option<String>,
    pub(crate) resend: Duration,
}

impl Default for EmbeddedAlerts {
    fn default() -> Self {
        EmbeddedAlerts::new()
    }
}

impl EmbeddedAlerts {
    /// Sampling and evaluation every 15 s, one hour of history, no notification.
    pub fn new() -> Self {
        EmbeddedAlerts {
            interval: Duration::from_secs(15),
            retention: Duration::from_secs(3600),
            alertmanager: None,
            webhook: None,
            resend: Duration::from_secs(60),
        }
    }

    /// How often the figures are sampled and the alerts evaluated (default 15 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(10));
        self
    }

    /// The interval set.
    pub fn interval_value(&self) -> Duration {
        self.interval
    }

    /// How much history is kept (default 1 h): alerts reading longer windows are
    /// not evaluated in the process.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Posts firing and resolved alerts to the Alertmanager at `url`
    /// (`http://host:9093`, its `/api/v2/alerts`). Plain HTTP only.
    pub fn alertmanager(mut self, url: &str) -> Self {
        self.alertmanager = Some(url.trim_end_matches('/').to_owned());
        self
    }

    /// The Alertmanager notified, if any.
    pub fn alertmanager_url(&self) -> Option<&str> {
        self.alertmanager.as_deref()
    }

    /// The webhook notified, if any.
    pub fn webhook_url(&self) -> Option<&str> {
        self.webhook.as_deref()
    }

    /// Posts each notification, in Alertmanager's webhook format, to `url`. Plain
    /// HTTP only.
    pub fn webhook(mut self, url: &str) -> Self {
        self.webhook = Some(url.to_owned());
        self
    }

    /// How often a firing alert is sent again (default 1 min), as Prometheus does so
    /// that Alertmanager keeps it active.
    pub fn resend_every(mut self, every: Duration) -> Self {
        self.resend = every;
        self
    }
}

/// The state of an active alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Its condition holds, not yet for its `for` duration.
    Pending,
    /// Its condition has held for its `for` duration.
    Firing,
}

/// One active alert, as `GET /alerts` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveAlert {
    /// The alert's name.
    pub name: String,
    /// Pending or firing.
    pub state: AlertState,
    /// The `severity` label.
    pub severity: String,
    /// Every label, `alertname` and `severity` included.
    pub labels: BTreeMap<String, String>,
    /// `summary` and `description`, rendered with the measured value.
    pub annotations: BTreeMap<String, String>,
    /// When the condition started to hold, RFC 3339.
    pub active_since: String,
    /// The measured value at the last evaluation.
    pub value: f64,
    #[serde(skip)]
    since: SystemTime,
    #[serde(skip)]
    sent: Option<SystemTime>,
}

/// A change of an alert's state, as `GET /alerts/history` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    /// The alert's name.
    pub name: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// `inactive`, `pending` or `firing`.
    pub from: String,
    /// `pending`, `firing`, `resolved` (was firing) or `inactive` (was pending).
    pub to: String,
    /// When, RFC 3339.
    pub at: String,
    /// The measured value then (the last one, for a resolution).
    pub value: f64,
}

/// A notification to send: an alert firing (again) or resolved, in the form of
/// Alertmanager's `/api/v2/alerts`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    /// Every label of the alert.
    pub labels: BTreeMap<String, String>,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
    /// When it started firing, RFC 3339.
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    /// For a firing alert, until when it holds without news; for a resolved one,
    /// when it resolved. RFC 3339.
    #[serde(rename = "endsAt")]
    pub ends_at: String,
    /// `firing` or `resolved` (not part of Alertmanager's API, which tells them
    /// apart by `endsAt`; used by the webhook format).
    #[serde(skip)]
    pub resolved: bool,
}

/// What an evaluation changed and what to send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evaluation {
    /// The state changes, in order.
    pub transitions: Vec<Transition>,
    /// What to notify Alertmanager or the webhook of.
    pub notifications: Vec<Notification>,
}

/// The samples of one snapshot.
struct Reading {
    at: SystemTime,
    /// Series by sample name (`<histogram>_bucket` and the like included).
    series: HashMap<String, Vec<(Labels, f64)>>,
}

impl Reading {
    /// The samples of `snapshot`, as a scrape of its text exposition would store
    /// them.
    fn of(snapshot: &model::Snapshot, at: SystemTime) -> Self {
        let mut series: HashMap<String, Vec<(Labels, f64)>> = HashMap::new();
        for_each_sample(snapshot, |sample| {
            let labels = sample
                .labels()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
            series
                .entry(sample.name())
                .or_default()
                .push((labels, sample.value));
        });
        Reading { at, series }
    }
}

/// How many transitions `GET /alerts/history` keeps.
const HISTORY: usize = 500;

/// Evaluates alert definitions over snapshots of the model
/// ([`monitor_runtime::snapshot`](crate::snapshot) gives the process' own).
pub struct Evaluator {
    definitions: Vec<AlertDefinition>,
    skipped: Vec<String>,
    retention: Duration,
    resend: Duration,
    hold: Duration,
    snapshots: VecDeque<Reading>,
    active: BTreeMap<(String, Labels), ActiveAlert>,
    history: VecDeque<Transition>,
}

impl Evaluator {
    /// An evaluator of `set`'s alerts keeping `retention` of history.
    pub fn new(set: &AlertSet, retention: Duration) -> Self {
        let mut evaluator = Evaluator {
            definitions: Vec::new(),
            skipped: Vec::new(),
            retention,
            resend: Duration::from_secs(60),
            hold: Duration::from_secs(240),
            snapshots: VecDeque::new(),
            active: BTreeMap::new(),
            history: VecDeque::new(),
        };
        evaluator.set_definitions(set);
        evaluator
    }

    /// Replaces the definitions, keeping the history and the active alerts that
    /// still exist.
    pub fn set_definitions(&mut self, set: &AlertSet) {
        self.skipped.clear();
        self.definitions.clear();
        for mut definition in set.alert_definitions() {
            match definition.condition.within(self.retention) {
                Some(condition) if definition.in_process => {
                    definition.condition = condition;
                    self.definitions.push(definition);
                }
                _ => self.skipped.push(definition.name),
            }
        }
        let names: Vec<&str> = self.definitions.iter().map(|d| d.name.as_str()).collect();
        self.active
            .retain(|(name, _), _| names.contains(&name.as_str()));
    }

    fn configure(&mut self, config: &EmbeddedAlerts) {
        self.retention = config.retention;
        self.resend = config.resend;
        self.hold = config.resend.max(config.interval) * 4;
    }

    /// The alerts evaluated in the process.
    pub fn evaluated(&self) -> Vec<&str> {
        self.definitions.iter().map(|d| d.name.as_str()).collect()
    }

    /// The alerts left out: their windows are longer than the history, or only
    /// Prometheus can tell (`TargetDown`).
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// Keeps the samples of `snapshot`, taken at `at`, and drops the snapshots older
    /// than the retention. The samples are those a Prometheus scrape would store:
    /// counters, gauges and info series by their name and labels, histograms as
    /// `<name>_bucket` (with `le`), `<name>_sum` and `<name>_count`.
    pub fn record(&mut self, at: SystemTime, snapshot: &model::Snapshot) {
        self.snapshots.push_back(Reading::of(snapshot, at));
        while let Some(oldest) = self.snapshots.front() {
            let age = at.duration_since(oldest.at).unwrap_or_default();
            // One snapshot beyond the retention, so a window of exactly the
            // retention still has its start.
            if age > self.retention && self.snapshots.len() > 1 {
                let second = &self.snapshots[1];
                if at.duration_since(second.at).unwrap_or_default() >= self.retention {
                    self.snapshots.pop_front();
                    continue;
                }
            }
            break;
        }
    }

    /// Evaluates every alert at the time of the newest snapshot; nothing without
    /// one.
    pub fn evaluate(&mut self) -> Evaluation {
        let Some(now) = self.snapshots.back().map(|snapshot| snapshot.at) else {
            return Evaluation::default();
        };
        let mut evaluation = Evaluation::default();
        let mut seen: Vec<(String, Labels)> = Vec::new();
        for definition in &self.definitions {
            let vector = definition.condition.evaluate(&History(&self.snapshots));
            for (sample, value) in vector {
                let mut labels = sample;
                labels.extend(definition.labels.clone());
                labels.insert("alertname".to_owned(), definition.name.clone());
                let key = (definition.name.clone(), labels.clone());
                seen.push(key.clone());
                let annotations = definition
                    .annotations
                    .iter()
                    .map(|(name, text)| (name.clone(), render_template(text, &labels, value)))
                    .collect();
                match self.active.get_mut(&key) {
                    Some(alert) => {
                        alert.value = value;
                        alert.annotations = annotations;
                        let held = now.duration_since(alert.since).unwrap_or_default();
                        if alert.state == AlertState::Pending && held >= definition.for_ {
                            alert.state = AlertState::Firing;
                            evaluation
                                .transitions
                                .push(transition(&key, "pending", "firing", now, value));
                        }
                    }
                    None => {
                        let state = if definition.for_.is_zero() {
                            AlertState::Firing
                        } else {
                            AlertState::Pending
                        };
                        let to = if state == AlertState::Firing {
                            "firing"
                        } else {
                            "pending"
                        };
                        evaluation
                            .transitions
                            .push(transition(&key, "inactive", to, now, value));
                        self.active.insert(
                            key.clone(),
                            ActiveAlert {
                                name: definition.name.clone(),
                                state,
                                severity: labels.get("severity").cloned().unwrap_or_default(),
                                labels,
                                annotations,
                                active_since: rfc3339(now),
                                value,
                                since: now,
                                sent: None,
                            },
                        );
                    }
                }
            }
        }
        let gone: Vec<(String, Labels)> = self
            .active
            .keys()
            .filter(|key| !seen.contains(key))
            .cloned()
            .collect();
        for key in gone {
            let alert = self.active.remove(&key).expect("an active alert");
            let (from, to) = match alert.state {
                AlertState::Firing => ("firing", "resolved"),
                AlertState::Pending => ("pending", "inactive"),
            };
            evaluation
                .transitions
                .push(transition(&key, from, to, now, alert.value));
            if alert.state == AlertState::Firing {
                evaluation.notifications.push(Notification {
                    labels: alert.labels,
                    annotations: alert.annotations,
                    starts_at: rfc3339(alert.since),
                    ends_at: rfc3339(now),
                    resolved: true,
                });
            }
        }
        for alert in self.active.values_mut() {
            let due = alert
                .sent
                .is_none_or(|sent| now.duration_since(sent).unwrap_or_default() >= self.resend);
            if alert.state == AlertState::Firing && due {
                alert.sent = Some(now);
                evaluation.notifications.push(Notification {
                    labels: alert.labels.clone(),
                    annotations: alert.annotations.clone(),
                    starts_at: rfc3339(alert.since),
                    ends_at: rfc3339(now + self.hold),
                    resolved: false,
                });
            }
        }
        for transition in &evaluation.transitions {
            let labels: Vec<String> = transition
                .labels
                .iter()
                .filter(|(name, _)| *name != "alertname")
                .map(|(name, value)| format!("{name}=\"{value}\""))
                .collect();
            match transition.to.as_str() {
                "firing" => tracing::warn!(
                    alert = %transition.name,
                    value = transition.value,
                    "alert firing: {} {{{}}}",
                    transition.name,
                    labels.join(", ")
                ),
                to => tracing::info!(
                    alert = %transition.name,
                    value = transition.value,
                    "alert {to}: {} {{{}}}",
                    transition.name,
                    labels.join(", ")
                ),
            }
            self.history.push_back(transition.clone());
            if self.history.len() > HISTORY {
                self.history.pop_front();
            }
        }
        evaluation
    }

    /// The active alerts, pending and firing.
    pub fn active(&self) -> Vec<ActiveAlert> {
        self.active.values().cloned().collect()
    }

    /// The recent transitions, oldest first.
    pub fn history(&self) -> Vec<Transition> {
        self.history.iter().cloned().collect()
    }
}

fn transition(
    key: &(String, Labels),
    from: &str,
    to: &str,
    at: SystemTime,
    value: f64,
) -> Transition {
    Transition {
        name: key.0.clone(),
        labels: key.1.clone(),
        from: from.to_owned(),
        to: to.to_owned(),
        at: rfc3339(at),
        value,
    }
}

/// `at` as RFC 3339 with milliseconds, UTC.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

struct History<'a>(&'a VecDeque<Reading>);

impl SeriesSource for History<'_> {
    fn instant(&self, selector: &Selector) -> Vector {
        let Some(latest) = self.0.back() else {
            return Vector::new();
        };
        select(latest, selector).collect()
    }

    fn rate(&self, selector: &Selector, window: Duration, increase: bool) -> Vector {
        let Some(latest) = self.0.back() else {
            return Vector::new();
        };
        let Some(first) = self
            .0
            .iter()
            .find(|snapshot| latest.at.duration_since(snapshot.at).unwrap_or_default() <= window)
        else {
            return Vector::new();
        };
        let span = latest.at.duration_since(first.at).unwrap_or_default();
        if span.is_zero() {
            return Vector::new();
        }
        let before: HashMap<Labels, f64> = select(first, selector).collect();
        select(latest, selector)
            .map(|(labels, value)| {
                let start = before.get(&labels).copied().unwrap_or(0.0);
                let per_second = (value - start).max(0.0) / span.as_secs_f64();
                let result = if increase {
                    per_second * window.as_secs_f64()
                } else {
                    per_second
                };
                (labels, result)
            })
            .collect()
    }
}

fn select<'a>(
    snapshot: &'a Reading,
    selector: &'a Selector,
) -> impl Iterator<Item = (Labels, f64)> + 'a {
    snapshot
        .series
        .get(&selector.metric)
        .into_iter()
        .flatten()
        .filter(|(labels, _)| selector.selects(&selector.metric, labels))
        .map(|(labels, value)| (labels.clone(), *value))
}

/// Renders the few template forms the generated annotations use:
/// `{{ $labels.name }}`, `{{ $value }}`, `{{ $value | humanizePercentage }}` and
/// `{{ $value | humanizeDuration }}`.
fn render_template(text: &str, labels: &Labels, value: f64) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = rest[start + 2..start + end].trim();
        let mut parts = inner.split('|').map(str::trim);
        let subject = parts.next().unwrap_or("");
        let filter = parts.next();
        let rendered = if let Some(label) = subject.strip_prefix("$labels.") {
            labels.get(label).cloned().unwrap_or_default()
        } else if subject == "$value" {
            match filter {
                Some("humanizePercentage") => format!("{}%", significant(value * 100.0)),
                Some("humanizeDuration") => humanize_duration(value),
                _ => value.to_string(),
            }
        } else {
            rest[start..start + end + 2].to_owned()
        };
        out.push_str(&rendered);
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Four significant digits, trailing zeros dropped (Go's `%.4g`).
fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return value.to_string();
    }
    let digits = 3 - value.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits);
    let rounded = (value * scale).round() / scale;
    let text = format!("{:.*}", digits.max(0) as usize, rounded);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

fn humanize_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return seconds.to_string();
    }
    if seconds.abs() < 1.0 {
        return format!("{}ms", significant(seconds * 1000.0));
    }
    format!("{}s", significant(seconds))
}

static GLOBAL: OnceLock<Mutex<Evaluator>> = OnceLock::new();

/// Runs `f` with the process' evaluator, created over [`super::current`] on first
/// use.
pub fn with_evaluator<T>(f: impl FnOnce(&mut Evaluator) -> T) -> T {
    let evaluator = GLOBAL
        .get_or_init(|| Mutex::new(Evaluator::new(&current(), EmbeddedAlerts::new().retention)));
    let mut guard = ignore_poison(evaluator.lock());
    f(&mut guard)
}

/// Applies `config` to the process' evaluator (retention, resend) and reloads its
/// definitions from [`super::current`]; `EmbeddedAlerts::start` does it, call it
/// yourself when you drive [`sample_and_evaluate`] without the `http` feature.
pub fn configure(config: &EmbeddedAlerts) {
    with_evaluator(|evaluator| {
        evaluator.configure(config);
        evaluator.set_definitions(&current());
    });
}

/// Gives the process' evaluator new definitions, if it exists.
pub(crate) fn reconfigure(set: &AlertSet) {
    if let Some(evaluator) = GLOBAL.get() {
        ignore_poison(evaluator.lock()).set_definitions(set);
    }
}

/// Takes a snapshot of the process' figures now and evaluates its alerts: one
/// step of the loop `EmbeddedAlerts::start` runs.
pub fn sample_and_evaluate() -> Evaluation {
    let snapshot = crate::core::snapshot();
    with_evaluator(|evaluator| {
        evaluator.record(SystemTime::now(), &snapshot);
        evaluator.evaluate()
    })
}

/// The active alerts of the process' evaluator.
pub fn active() -> Vec<ActiveAlert> {
    with_evaluator(|evaluator| evaluator.active())
}

/// The recent transitions of the process' evaluator.
pub fn history() -> Vec<Transition> {
    with_evaluator(|evaluator| evaluator.history())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gauge_above_its_threshold_fires() {
        use super::Evaluator;
        use crate::alerts::generate::AlertSet;
        use crate::alerts::model::{BusinessAlert, ServiceAlerts};
        use crate::core::model::{Family, Kind, Labels, Snapshot, Value};
        use std::time::{Duration, SystemTime};

        let set = AlertSet::new("shop")
            .service_alerts(ServiceAlerts::none())
            .business(BusinessAlert::gauge_above("queue_depth", 100.0));
        let mut evaluator = Evaluator::new(&set, Duration::from_secs(3600));
        let mut depth = Family::new("queue_depth", "Jobs waiting.", Kind::Gauge);
        depth.push(Labels::empty(), Value::Gauge(250.0));
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        evaluator.record(
            start,
            &Snapshot {
                families: vec![depth],
            },
        );
        let evaluation = evaluator.evaluate();
        assert_eq!(evaluation.transitions[0].to, "firing");
        assert_eq!(evaluator.active()[0].name, "QueueDepthAbove");
    }

    #[test]
    fn a_reading_holds_the_samples_a_scrape_stores() {
        use model::{Family, Histogram, Kind, Labels as ModelLabels, Value};

        let mut calls = Family::new("a_total", "A.", Kind::Counter);
        calls.push(
            ModelLabels::new([("b", "x\"y"), ("c", "1,2")]),
            Value::counter(3.5),
        );
        calls.push(ModelLabels::new([("b", "z")]), Value::counter(1.0));
        let mut latency = Family::new("x_seconds", "X.", Kind::Histogram);
        latency.push(
            ModelLabels::empty(),
            Value::Histogram(Histogram::classic(vec![1.0], &[2, 1], 2.5)),
        );
        let mut up = Family::new("up", "Up.", Kind::Gauge);
        up.push(ModelLabels::empty(), Value::Gauge(1.0));
        let snapshot = model::Snapshot {
            families: vec![calls, up, latency],
        };
        let reading = Reading::of(&snapshot, SystemTime::UNIX_EPOCH);
        let value = |name: &str, labels: &[(&str, &str)]| {
            let labels: Labels = labels
                .iter()
                .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                .collect();
            reading.series[name]
                .iter()
                .find(|(series, _)| *series == labels)
                .map(|(_, value)| *value)
        };
        assert_eq!(value("a_total", &[("b", "x\"y"), ("c", "1,2")]), Some(3.5));
        assert_eq!(value("a_total", &[("b", "z")]), Some(1.0));
        assert_eq!(value("up", &[]), Some(1.0));
        assert_eq!(value("x_seconds_bucket", &[("le", "1")]), Some(2.0));
        assert_eq!(value("x_seconds_bucket", &[("le", "+Inf")]), Some(3.0));
        assert_eq!(value("x_seconds_sum", &[]), Some(2.5));
        assert_eq!(value("x_seconds_count", &[]), Some(3.0));
        assert_eq!(reading.series.len(), 5, "{:?}", reading.series.keys());
    }

    #[test]
    fn renders_templates() {
        let labels = Labels::from([("function".to_owned(), "pay".to_owned())]);
        assert_eq!(
            render_template(
                "{{ $labels.function }} at {{ $value | humanizePercentage }}",
                &labels,
                0.5
            ),
            "pay at 50%"
        );
        assert_eq!(
            render_template("{{ $value | humanizeDuration }}", &labels, 0.25),
            "250ms"
        );
        assert_eq!(significant(14.285714), "14.29");
    }
}
