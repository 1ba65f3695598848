//! What registration reports: one [`RegistrationError`] per problem, all of them
//! gathered in an [`InitError`].

use std::fmt;

/// A problem found while registering annotated items.
///
/// ```
/// use monitor_runtime::RegistrationError;
/// use monitor_runtime::prometheus::IntGauge;
///
/// let clash = IntGauge::new("function_calls_concurrent", "Mine.").unwrap();
/// let error = monitor_runtime::register_collector(Box::new(clash)).unwrap_err();
/// assert!(matches!(error, RegistrationError::Conflict { .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrationError {
    /// Two annotated items would produce the same series.
    Clash {
        /// The metric family both would write to.
        metric: String,
        /// The label set both would use.
        series: String,
        /// `file:line` of the item registered first.
        first: String,
        /// `file:line` of the item left out of the exposition.
        second: String,
    },
    /// Two declarations of one business metric disagree. When they differ in kind,
    /// labels, help or buckets, the later one is left out of the exposition (its
    /// updates are kept apart, never merged). When they differ only in
    /// `max_label_sets`, both keep sharing the metric, which takes the smaller
    /// limit whatever the order they register in.
    Incompatible {
        /// The metric name both declare.
        metric: String,
        /// `file:line` of the declaration registered first.
        first: String,
        /// `file:line` of the declaration registered second: left out of the
        /// exposition, unless only `max_label_sets` differ.
        second: String,
        /// How they differ.
        reason: String,
    },
    /// A metric of an annotated item takes a name that something registered before
    /// it already holds (a metric of the framework, of another item, or a collector
    /// of the application); the item's metric is left out of the exposition.
    Conflict {
        /// The metric name in conflict.
        metric: String,
        /// `file:line` of the item left out (or the part of the runtime).
        location: String,
        /// What holds the name: "the process collector", "a collector of the
        /// application", the metrics of a `#[monitored]` function, ...
        with: String,
        /// Where that was registered.
        registered_at: String,
        /// What the Prometheus registry said, for the curious.
        reason: String,
    },
    /// The Prometheus registry refused a metric.
    Rejected {
        /// `file:line` of the annotated item.
        location: String,
        /// What the registry said.
        reason: String,
    },
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistrationError::Clash {
                metric,
                series,
                first,
                second,
            } => write!(
                f,
                "`{metric}{{{series}}}` is produced by two items, at {first} and at {second}; \
                 give one of them a distinct `name = \"...\"`"
            ),
            RegistrationError::Incompatible {
                metric,
                first,
                second,
                reason,
            } => write!(
                f,
                "metric `{metric}` is declared at {first} and at {second}, and {reason}; \
                 make the declarations agree or give one of them another name"
            ),
            RegistrationError::Conflict {
                metric,
                location,
                with,
                registered_at,
                ..
            } => write!(
                f,
                "`{metric}` conflicts with {with} registered at {registered_at}: the metric of \
                 the item at {location} is left out of the exposition; give it another name"
            ),
            RegistrationError::Rejected { location, reason } => {
                write!(
                    f,
                    "the metrics of the item at {location} were rejected: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for RegistrationError {}

/// The problems [`init`](crate::init) found, all of them.
///
/// ```
/// match monitor_runtime::init() {
///     Ok(()) => {}
///     Err(problems) => {
///         for problem in problems.errors() {
///             eprintln!("{problem}");
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct InitError {
    errors: Vec<RegistrationError>,
}

impl InitError {
    pub(crate) fn new(errors: Vec<RegistrationError>) -> Self {
        Self { errors }
    }

    /// Every problem found, in registration order.
    pub fn errors(&self) -> &[RegistrationError] {
        &self.errors
    }
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} registration error(s)", self.errors.len())?;
        for error in &self.errors {
            write!(f, "\n  - {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InitError {}

/// Why a pool ([`pool::watch`](crate::pool::watch)) or a tokio runtime
/// ([`runtime_metrics::watch`](crate::runtime_metrics::watch)) cannot be watched.
///
/// ```
/// let error = monitor_runtime::runtime_metrics::watch("outside").unwrap_err();
/// assert_eq!(error, monitor_runtime::WatchError::NoRuntime);
/// assert!(error.to_string().contains("outside a tokio runtime"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WatchError {
    /// The name is empty; `what` is watched (`"pool"`, `"runtime"`).
    EmptyName {
        /// What was to be watched.
        what: &'static str,
    },
    /// Another `what` of this name is watched: their series would mix.
    Duplicate {
        /// What was to be watched.
        what: &'static str,
        /// The name taken.
        name: String,
    },
    /// [`runtime_metrics::watch`](crate::runtime_metrics::watch) was called outside a
    /// tokio runtime.
    NoRuntime,
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyName { what } => write!(f, "a watched {what} needs a non-empty name"),
            Self::Duplicate { what, name } => write!(
                f,
                "a {what} named `{name}` is already watched: give each {what} its own name"
            ),
            Self::NoRuntime => f.write_str(
                "runtime_metrics::watch was called outside a tokio runtime: call it from inside \
                 one, or after `runtime.enter()`",
            ),
        }
    }
}

impl std::error::Error for WatchError {}
