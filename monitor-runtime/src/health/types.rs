//! What a check reports ([`Health`], [`Status`]), which probe it belongs to
//! ([`Probe`]), how it is configured ([`CheckSpec`]) and the trait every check
//! implements ([`HealthCheck`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The state of a check, a probe or the whole service, from best to worst.
///
/// `Healthy` and `Degraded` answer HTTP 200, `Unhealthy` answers 503.
///
/// ```
/// use monitor_runtime::health::Status;
///
/// assert!(Status::Healthy < Status::Degraded && Status::Degraded < Status::Unhealthy);
/// assert_eq!(Status::Degraded.as_str(), "degraded");
/// assert_eq!(Status::Unhealthy.http_code(), 503);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Working as intended.
    Healthy,
    /// Working, with reduced service: a non-critical part failed.
    Degraded,
    /// Not working: the probe fails.
    Unhealthy,
}

impl Status {
    /// The lowercase name used in JSON, metrics and logs.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::health::Status::Healthy.as_str(), "healthy");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Degraded => "degraded",
            Status::Unhealthy => "unhealthy",
        }
    }

    /// The HTTP status code a probe answers with: 200, or 503 when unhealthy.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::health::Status::Degraded.http_code(), 200);
    /// ```
    pub const fn http_code(self) -> u16 {
        match self {
            Status::Healthy | Status::Degraded => 200,
            Status::Unhealthy => 503,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The probe a check belongs to, as Kubernetes names them.
///
/// Liveness answers "should this process be restarted?", so it must not depend on
/// external systems; readiness answers "should it receive traffic?" (the default);
/// startup answers "has it finished starting?".
///
/// ```
/// use monitor_runtime::health::Probe;
///
/// assert_eq!(Probe::default(), Probe::Readiness);
/// assert_eq!("live".parse::<Probe>(), Ok(Probe::Liveness));
/// assert_eq!(Probe::Startup.as_str(), "startup");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Probe {
    /// Is the process alive? Failing restarts it.
    Liveness,
    /// Can it serve traffic? Failing takes it out of load balancing.
    #[default]
    Readiness,
    /// Has it started? Other probes wait for it.
    Startup,
}

impl Probe {
    /// Every probe, in the order endpoints list them.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::health::Probe::ALL.len(), 3);
    /// ```
    pub const ALL: [Probe; 3] = [Probe::Liveness, Probe::Readiness, Probe::Startup];

    /// The name used in JSON and in the `probe` metric label.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::health::Probe::Liveness.as_str(), "liveness");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Probe::Liveness => "liveness",
            Probe::Readiness => "readiness",
            Probe::Startup => "startup",
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a check could not be registered, or a text is not a probe's name.
///
/// ```
/// use monitor_runtime::health::{HealthError, HealthRegistry, Health};
///
/// let checks = HealthRegistry::new();
/// let error = checks.register_fn("bad name", || Health::healthy()).unwrap_err();
/// assert!(matches!(error, HealthError::InvalidName { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthError {
    /// Another check already has this name.
    Duplicate {
        /// The name.
        name: String,
        /// Where the first check was registered.
        first: String,
        /// Where the rejected one came from.
        second: String,
    },
    /// The name cannot be used (empty, characters outside `[A-Za-z0-9_.-]`, or a probe path).
    InvalidName {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// A duration of the [`CheckSpec`] cannot be used: a zero timeout or refresh
    /// interval, or one longer than about 584 years, as the attributes reject them.
    InvalidSpec {
        /// The check's name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The text is not a probe's name (`liveness`, `readiness`, `startup`).
    UnknownProbe {
        /// The text.
        name: String,
    },
}

impl fmt::Display for HealthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HealthError::Duplicate {
                name,
                first,
                second,
            } => write!(
                f,
                "two health checks are named `{name}` ({first} and {second}); give one a distinct `name`"
            ),
            HealthError::InvalidName { reason, .. } | HealthError::InvalidSpec { reason, .. } => {
                f.write_str(reason)
            }
            HealthError::UnknownProbe { name } => write!(
                f,
                "unknown probe `{name}`; expected `liveness`, `readiness` or `startup`"
            ),
        }
    }
}

impl std::error::Error for HealthError {}

/// A probe from its name; `live` and `ready` are accepted too.
///
/// ```
/// use monitor_runtime::health::{HealthError, Probe};
/// assert_eq!("ready".parse::<Probe>(), Ok(Probe::Readiness));
/// assert!(matches!("sideways".parse::<Probe>(), Err(HealthError::UnknownProbe { .. })));
/// ```
impl std::str::FromStr for Probe {
    type Err = HealthError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "liveness" | "live" => Ok(Probe::Liveness),
            "readiness" | "ready" => Ok(Probe::Readiness),
            "startup" => Ok(Probe::Startup),
            other => Err(HealthError::UnknownProbe {
                name: other.to_owned(),
            }),
        }
    }
}

/// The result of one check: a status, an optional reason, optional details, and for
/// a composite check the result of each part.
///
/// ```
/// use monitor_runtime::health::{Health, Status};
///
/// let health = Health::degraded("replica lag 12 s").with_detail("replica", "db-2");
/// assert_eq!(health.status(), Status::Degraded);
/// assert_eq!(health.reason(), Some("replica lag 12 s"));
/// assert_eq!(health.details().get("replica").map(String::as_str), Some("db-2"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    status: Status,
    reason: Option<String>,
    details: BTreeMap<String, String>,
    components: Vec<Component>,
}

impl Health {
    /// A healthy result without reason.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::health::Health::healthy().reason(), None);
    /// ```
    pub fn healthy() -> Self {
        Self::new(Status::Healthy, None)
    }

    /// A degraded result: the service works with reduced quality.
    ///
    /// ```
    /// let health = monitor_runtime::health::Health::degraded("cache cold");
    /// assert_eq!(health.reason(), Some("cache cold"));
    /// ```
    pub fn degraded(reason: impl Into<String>) -> Self {
        Self::new(Status::Degraded, Some(reason.into()))
    }

    /// An unhealthy result, with the reason shown to authorised callers.
    ///
    /// ```
    /// use monitor_runtime::health::{Health, Status};
    /// assert_eq!(Health::unhealthy("connection refused").status(), Status::Unhealthy);
    /// ```
    pub fn unhealthy(reason: impl Into<String>) -> Self {
        Self::new(Status::Unhealthy, Some(reason.into()))
    }

    /// A result with any status and an optional reason.
    ///
    /// ```
    /// use monitor_runtime::health::{Health, Status};
    /// let health = Health::new(Status::Healthy, Some("warm".to_owned()));
    /// assert_eq!(health.reason(), Some("warm"));
    /// ```
    pub fn new(status: Status, reason: Option<String>) -> Self {
        Self {
            status,
            reason,
            details: BTreeMap::new(),
            components: Vec::new(),
        }
    }

    /// Adds a detail (shown in the JSON report to authorised callers).
    ///
    /// ```
    /// let health = monitor_runtime::health::Health::healthy().with_detail("pool_size", 8);
    /// assert_eq!(health.details()["pool_size"], "8");
    /// ```
    pub fn with_detail(mut self, key: impl Into<String>, value: impl fmt::Display) -> Self {
        self.details.insert(key.into(), value.to_string());
        self
    }

    /// Adds the result of a part of a composite check. The composite's status is not
    /// changed: [`Health::aggregate`] computes it.
    ///
    /// ```
    /// use monitor_runtime::health::{Component, Health};
    /// let part = Component::new("db", true, Health::healthy());
    /// let health = Health::healthy().with_component(part);
    /// assert_eq!(health.components().len(), 1);
    /// ```
    pub fn with_component(mut self, component: Component) -> Self {
        self.components.push(component);
        self
    }

    /// Aggregates parts: unhealthy if a critical part is unhealthy, degraded if any
    /// other part is not healthy, healthy otherwise. The reason names the failing parts.
    ///
    /// ```
    /// use monitor_runtime::health::{Component, Health, Status};
    ///
    /// let health = Health::aggregate(vec![
    ///     Component::new("db", true, Health::healthy()),
    ///     Component::new("cache", false, Health::unhealthy("timeout")),
    /// ]);
    /// assert_eq!(health.status(), Status::Degraded);
    /// assert_eq!(health.reason(), Some("not healthy: cache"));
    /// ```
    pub fn aggregate(components: Vec<Component>) -> Self {
        let status = aggregate_status(
            components
                .iter()
                .map(|component| (component.health.status, component.critical)),
        );
        let failing: Vec<&str> = components
            .iter()
            .filter(|component| component.health.status != Status::Healthy)
            .map(|component| component.name.as_str())
            .collect();
        let reason = (!failing.is_empty()).then(|| format!("not healthy: {}", failing.join(", ")));
        Self {
            status,
            reason,
            details: BTreeMap::new(),
            components,
        }
    }

    /// The status.
    ///
    /// ```
    /// use monitor_runtime::health::{Health, Status};
    /// assert_eq!(Health::healthy().status(), Status::Healthy);
    /// ```
    pub fn status(&self) -> Status {
        self.status
    }

    /// Why the check is not healthy, if it said so.
    ///
    /// ```
    /// let health = monitor_runtime::health::Health::unhealthy("disk full");
    /// assert_eq!(health.reason(), Some("disk full"));
    /// ```
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// Details, sorted by key.
    ///
    /// ```
    /// let health = monitor_runtime::health::Health::healthy().with_detail("b", 2).with_detail("a", 1);
    /// assert_eq!(health.details().keys().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn details(&self) -> &BTreeMap<String, String> {
        &self.details
    }

    /// The parts of a composite check (empty for a plain check).
    ///
    /// ```
    /// assert!(monitor_runtime::health::Health::healthy().components().is_empty());
    /// ```
    pub fn components(&self) -> &[Component] {
        &self.components
    }
}

/// The worst status, where an unhealthy non-critical part only degrades.
pub(super) fn aggregate_status(parts: impl IntoIterator<Item = (Status, bool)>) -> Status {
    parts
        .into_iter()
        .map(|(status, critical)| match status {
            Status::Unhealthy if !critical => Status::Degraded,
            other => other,
        })
        .max()
        .unwrap_or(Status::Healthy)
}

/// One part of a composite check: its name, whether its failure fails the whole,
/// its result, and how long it took.
///
/// ```
/// use monitor_runtime::health::{Component, Health};
/// let part = Component::new("cache", false, Health::unhealthy("down"));
/// assert!(!part.critical);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Component {
    /// The part's name (the field name unless renamed).
    pub name: String,
    /// Whether an unhealthy part makes the whole unhealthy (otherwise degraded).
    pub critical: bool,
    /// The part's result.
    pub health: Health,
    /// How long the part took.
    pub duration: Duration,
}

impl Component {
    /// A part with a zero duration.
    ///
    /// ```
    /// let part = monitor_runtime::health::Component::new("db", true, Default::default());
    /// assert_eq!(part.duration, std::time::Duration::ZERO);
    /// ```
    pub fn new(name: impl Into<String>, critical: bool, health: Health) -> Self {
        Self {
            name: name.into(),
            critical,
            health,
            duration: Duration::ZERO,
        }
    }
}

impl Default for Health {
    /// Healthy.
    fn default() -> Self {
        Health::healthy()
    }
}

/// Turns what a check returns into a [`Health`]: `bool` (`false` is unhealthy),
/// `Result<T, E: Display>` (an error is unhealthy, its text the reason), [`Health`]
/// and [`Status`].
///
/// ```
/// use monitor_runtime::health::{IntoHealth, Status};
///
/// assert_eq!(true.into_health().status(), Status::Healthy);
/// let failed: Result<(), String> = Err("refused".into());
/// assert_eq!(failed.into_health().reason(), Some("refused"));
/// ```
#[diagnostic::on_unimplemented(
    message = "a health check cannot return `{Self}`",
    label = "this is what the check returns",
    note = "return `bool`, `Result<T, E>` with `E: Display`, or `monitor_runtime::health::Health`"
)]
pub trait IntoHealth {
    /// The check's result.
    fn into_health(self) -> Health;
}

impl IntoHealth for Health {
    fn into_health(self) -> Health {
        self
    }
}

impl IntoHealth for Status {
    fn into_health(self) -> Health {
        Health::new(self, None)
    }
}

impl IntoHealth for bool {
    fn into_health(self) -> Health {
        if self {
            Health::healthy()
        } else {
            Health::unhealthy("check returned false")
        }
    }
}

impl<T, E: fmt::Display> IntoHealth for Result<T, E> {
    fn into_health(self) -> Health {
        match self {
            Ok(_) => Health::healthy(),
            Err(error) => Health::unhealthy(error.to_string()),
        }
    }
}

/// The future a [`HealthCheck`] returns.
///
/// ```
/// use monitor_runtime::health::{CheckFuture, CheckSpec, Health, HealthCheck};
///
/// struct Queue;
///
/// impl HealthCheck for Queue {
///     fn spec(&self) -> CheckSpec {
///         CheckSpec::new("queue")
///     }
///
///     fn check(&self) -> CheckFuture<'_> {
///         Box::pin(async { Health::healthy() })
///     }
/// }
/// ```
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Health> + Send + 'a>>;

/// How a check is run: its name, probe, criticality, timeout and caching.
///
/// ```
/// use std::time::Duration;
/// use monitor_runtime::health::{CheckSpec, Probe};
///
/// let spec = CheckSpec::new("database")
///     .probe(Probe::Readiness)
///     .timeout(Duration::from_millis(500))
///     .cache(Duration::from_secs(2));
/// assert_eq!(spec.name, "database");
/// assert!(spec.critical);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckSpec {
    /// The check's name: the `check` metric label, the key in `/health`, and the path
    /// of `/health/{name}`. Letters, digits, `_`, `-` and `.`.
    pub name: Cow<'static, str>,
    /// The probe it belongs to (readiness by default).
    pub probe: Probe,
    /// Whether its failure makes its probe unhealthy (true by default); a failing
    /// non-critical check only degrades it.
    pub critical: bool,
    /// How long one run may take before it counts as unhealthy (default 5 s). Zero is
    /// refused at registration ([`HealthError::InvalidSpec`](super::HealthError::InvalidSpec)),
    /// as is any duration here longer than about 584 years.
    pub timeout: Duration,
    /// How long a result is served without running the check again (default 1 s);
    /// zero runs the check at every probe (still one run at a time).
    pub cache: Duration,
    /// When set, the check is re-run in the background at this interval (not zero)
    /// and probes are answered from the latest result, which counts as current for
    /// this interval plus the timeout.
    pub refresh: Option<Duration>,
}

impl CheckSpec {
    /// The default timeout of a run.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    /// The default time a result is reused.
    pub const DEFAULT_CACHE: Duration = Duration::from_secs(1);

    /// A critical readiness check with the default timeout and cache.
    ///
    /// ```
    /// let spec = monitor_runtime::health::CheckSpec::new("queue");
    /// assert_eq!(spec.timeout, monitor_runtime::health::CheckSpec::DEFAULT_TIMEOUT);
    /// ```
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            name: name.into(),
            probe: Probe::Readiness,
            critical: true,
            timeout: Self::DEFAULT_TIMEOUT,
            cache: Self::DEFAULT_CACHE,
            refresh: None,
        }
    }

    /// Every field at once, in a `const` context, for generated code.
    pub(crate) const fn from_parts(
        name: &'static str,
        probe: Probe,
        critical: bool,
        timeout: Duration,
        cache: Duration,
        refresh: Option<Duration>,
    ) -> Self {
        Self {
            name: Cow::Borrowed(name),
            probe,
            critical,
            timeout,
            cache,
            refresh,
        }
    }

    /// Sets the probe.
    ///
    /// ```
    /// use monitor_runtime::health::{CheckSpec, Probe};
    /// assert_eq!(CheckSpec::new("x").probe(Probe::Liveness).probe, Probe::Liveness);
    /// ```
    pub fn probe(mut self, probe: Probe) -> Self {
        self.probe = probe;
        self
    }

    /// Sets whether a failure fails the probe (otherwise it degrades it).
    ///
    /// ```
    /// assert!(!monitor_runtime::health::CheckSpec::new("x").critical(false).critical);
    /// ```
    pub fn critical(mut self, critical: bool) -> Self {
        self.critical = critical;
        self
    }

    /// Sets the timeout of one run.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let spec = monitor_runtime::health::CheckSpec::new("x").timeout(Duration::from_millis(100));
    /// assert_eq!(spec.timeout, Duration::from_millis(100));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how long a result is reused.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let spec = monitor_runtime::health::CheckSpec::new("x").cache(Duration::from_secs(10));
    /// assert_eq!(spec.cache, Duration::from_secs(10));
    /// ```
    pub fn cache(mut self, cache: Duration) -> Self {
        self.cache = cache;
        self
    }

    /// Re-runs the check in the background at `interval`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let spec = monitor_runtime::health::CheckSpec::new("x").refresh(Duration::from_secs(5));
    /// assert_eq!(spec.refresh, Some(Duration::from_secs(5)));
    /// ```
    pub fn refresh(mut self, interval: Duration) -> Self {
        self.refresh = Some(interval);
        self
    }
}

/// `CheckSpec::new(name)`: a name alone, with the default options.
impl From<&str> for CheckSpec {
    fn from(name: &str) -> Self {
        CheckSpec::new(name.to_owned())
    }
}

/// `CheckSpec::new(name)`: a name alone, with the default options.
impl From<String> for CheckSpec {
    fn from(name: String) -> Self {
        CheckSpec::new(name)
    }
}

/// The longest duration a check accepts, as the attributes do: what 64-bit
/// nanoseconds hold (about 584 years).
const LONGEST: Duration = Duration::from_nanos(u64::MAX);

/// Why the durations of `spec` cannot be used, as the attributes reject them: a zero
/// timeout or refresh interval, or any duration past [`LONGEST`]. A zero cache is
/// fine: the check runs on every probe (one run at a time).
pub(super) fn spec_error(spec: &CheckSpec) -> Option<String> {
    let durations = [
        ("timeout", Some(spec.timeout), true),
        ("refresh", spec.refresh, true),
        ("cache", Some(spec.cache), false),
    ];
    durations.into_iter().find_map(|(what, duration, positive)| {
        let duration = duration?;
        if positive && duration.is_zero() {
            Some(format!(
                "the {what} of health check `{}` is zero: a timeout or interval must be longer than that",
                spec.name
            ))
        } else if duration > LONGEST {
            Some(format!(
                "the {what} of health check `{}` is too long: the longest supported is about 584 years",
                spec.name
            ))
        } else {
            None
        }
    })
}

/// A health check: what `#[derive(HealthCheck)]` implements, and what
/// [`register`](crate::health::register) accepts.
///
/// Implement it by hand when the derive does not fit:
///
/// ```
/// use monitor_runtime::health::{CheckFuture, CheckSpec, Health, HealthCheck};
///
/// struct Queue { depth: std::sync::atomic::AtomicUsize }
///
/// impl HealthCheck for Queue {
///     fn spec(&self) -> CheckSpec {
///         CheckSpec::new("queue")
///     }
///     fn check(&self) -> CheckFuture<'_> {
///         Box::pin(async move {
///             let depth = self.depth.load(std::sync::atomic::Ordering::Relaxed);
///             if depth < 1000 { Health::healthy() } else { Health::degraded(format!("{depth} queued")) }
///         })
///     }
/// }
///
/// monitor_runtime::health::register(Queue { depth: 0.into() }).unwrap();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a health check",
    label = "not a health check",
    note = "a field of a `#[derive(HealthCheck)]` composite must itself be a check: derive or implement `HealthCheck` for its type, or mark the field `#[health(skip)]`"
)]
pub trait HealthCheck: Send + Sync + 'static {
    /// How the check is run: name, probe, criticality, timeout, caching.
    fn spec(&self) -> CheckSpec;

    /// Runs the check once. The engine applies the timeout and catches panics.
    fn check(&self) -> CheckFuture<'_>;
}

impl<T: HealthCheck + ?Sized> HealthCheck for std::sync::Arc<T> {
    fn spec(&self) -> CheckSpec {
        (**self).spec()
    }

    fn check(&self) -> CheckFuture<'_> {
        (**self).check()
    }
}

impl<T: HealthCheck + ?Sized> HealthCheck for Box<T> {
    fn spec(&self) -> CheckSpec {
        (**self).spec()
    }

    fn check(&self) -> CheckFuture<'_> {
        (**self).check()
    }
}

/// Whether `name` may name a check: non-empty, letters, digits, `_`, `-`, `.`, and
/// not one of the probe paths (`live`, `ready`, `startup`).
pub(super) fn check_name_error(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a health check name must not be empty".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "health check name `{name}` contains `{bad}`: use letters, digits, `_`, `-` and `.`"
        ));
    }
    if matches!(name, "live" | "ready" | "startup") {
        return Some(format!(
            "health check name `{name}` is taken by the `/health/{name}` probe endpoint"
        ));
    }
    None
}
