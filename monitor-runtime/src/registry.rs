//! The global registry: one `prometheus::Registry` for every metric the framework
//! creates, start-up registration of everything annotated, and clash reports.

use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, Mutex, OnceLock};

use prometheus::{Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry};

use crate::function::{FunctionHandles, FunctionSite};

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let registry = Registry::new();
    register_process_collector(&registry);
    registry
});

#[cfg(target_os = "linux")]
fn register_process_collector(registry: &Registry) {
    let collector = prometheus::process_collector::ProcessCollector::for_self();
    if let Err(error) = registry.register(Box::new(collector)) {
        tracing::error!(%error, "monitor: could not register the process collector");
    }
}

#[cfg(not(target_os = "linux"))]
fn register_process_collector(_: &Registry) {}

/// Everything registration learnt: clashes, and which keys are taken by whom.
#[derive(Default)]
struct RegistrationState {
    functions: HashMap<(&'static str, &'static str), String>,
    errors: Vec<RegistrationError>,
}

static STATE: LazyLock<Mutex<RegistrationState>> = LazyLock::new(Default::default);
static INIT: OnceLock<()> = OnceLock::new();

fn state() -> std::sync::MutexGuard<'static, RegistrationState> {
    // Registration never panics while holding the lock, but a poisoned lock must not
    // stop the exporter either: the state is only ever appended to.
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The global registry that `/metrics` exposes.
///
/// Every metric created by the framework's attributes lives here. Register your own
/// collectors into it to have them served next to them:
///
/// ```
/// use prometheus::{IntCounter, Opts};
///
/// let jobs = IntCounter::with_opts(Opts::new("jobs_processed_total", "Jobs processed")).unwrap();
/// monitor_runtime::registry().register(Box::new(jobs.clone())).unwrap();
/// jobs.inc();
///
/// let families = monitor_runtime::registry().gather();
/// assert!(families.iter().any(|family| family.name() == "jobs_processed_total"));
/// ```
///
/// The first access registers every annotated item in the program (see [`init`]),
/// so that a scrape sees them all at zero before their first use.
pub fn registry() -> &'static Registry {
    let _ = init_once();
    &REGISTRY
}

/// Registers every annotated item in the program, once, and reports clashes.
///
/// Every `#[monitored]` function is recorded at link time; `init` creates all of their
/// series at zero. It runs by itself on first access to [`registry`] (and so before
/// the first scrape), and is cheap to call again: later calls report the same result.
/// Call it early in `main` to learn about clashes at start-up:
///
/// ```
/// fn main() -> Result<(), monitor_runtime::InitError> {
///     monitor_runtime::init()?;
///     Ok(())
/// }
/// ```
///
/// # Errors
///
/// Returns every [`RegistrationError`] found: for example two annotated functions in
/// the same module that would produce the same series. The items involved still count
/// their calls; the later one is left out of the exposition rather than silently
/// merged with the first.
pub fn init() -> Result<(), InitError> {
    init_once();
    let state = state();
    if state.errors.is_empty() {
        Ok(())
    } else {
        Err(InitError {
            errors: state.errors.clone(),
        })
    }
}

fn init_once() -> &'static () {
    INIT.get_or_init(|| {
        for site in crate::__private::MONITORED_FUNCTIONS {
            site.handles();
        }
        let health_errors = crate::health::on_init(&REGISTRY);
        state().errors.extend(health_errors);
        crate::business::register_all();
    })
}

/// Creates and registers the metrics of one monitored function.
pub(crate) fn register_function(site: &'static FunctionSite) -> FunctionHandles {
    let handles = function_handles(site);
    let mut registered = state();
    let key = (site.module, site.function);
    if let Some(first) = registered.functions.get(&key) {
        let error = RegistrationError::Clash {
            metric: "function_calls_total".to_owned(),
            series: format!("function=\"{}\", module=\"{}\"", site.function, site.module),
            first: first.clone(),
            second: site.location(),
        };
        tracing::error!(%error, "monitor: registration clash");
        registered.errors.push(error);
        return handles;
    }
    registered.functions.insert(key, site.location());
    drop(registered);
    let collectors: [Box<dyn prometheus::core::Collector>; 4] = [
        Box::new(handles.ok.clone()),
        Box::new(handles.error.clone()),
        Box::new(handles.duration.clone()),
        Box::new(handles.in_flight.clone()),
    ];
    for collector in collectors
        .into_iter()
        .chain(handles.cancelled.clone().map(|c| Box::new(c) as Box<_>))
    {
        if let Err(error) = REGISTRY.register(collector) {
            let error = RegistrationError::Rejected {
                location: site.location(),
                reason: error.to_string(),
            };
            tracing::error!(%error, "monitor: registration failed");
            state().errors.push(error);
        }
    }
    handles
}

fn function_handles(site: &FunctionSite) -> FunctionHandles {
    let labels = |opts: Opts| {
        opts.const_label("function", site.function)
            .const_label("module", site.module)
    };
    let calls = |result: &str| {
        let opts = labels(Opts::new(
            "function_calls_total",
            "Calls of monitored functions, by result (ok or error; a panic is an error).",
        ))
        .const_label("result", result);
        IntCounter::with_opts(opts).expect("valid static metric options")
    };
    let buckets = if site.buckets.is_empty() {
        prometheus::DEFAULT_BUCKETS.to_vec()
    } else {
        site.buckets.to_vec()
    };
    let duration = Histogram::with_opts(HistogramOpts {
        common_opts: labels(Opts::new(
            "function_calls_duration_seconds",
            "Duration of monitored function calls, in seconds.",
        )),
        buckets,
    })
    .expect("buckets are validated at compile time");
    let in_flight = IntGauge::with_opts(labels(Opts::new(
        "function_calls_concurrent",
        "Calls of monitored functions currently in progress.",
    )))
    .expect("valid static metric options");
    let cancelled = site.is_async.then(|| {
        IntCounter::with_opts(labels(Opts::new(
            "function_calls_cancelled_total",
            "Calls of monitored async functions whose future was dropped before completing.",
        )))
        .expect("valid static metric options")
    });
    FunctionHandles {
        ok: calls("ok"),
        error: calls("error"),
        duration,
        in_flight,
        cancelled,
    }
}

/// The registry without triggering start-up registration, for registration itself.
pub(crate) fn raw_registry() -> &'static Registry {
    &REGISTRY
}

/// Logs a registration problem and keeps it for [`init`] to return.
pub(crate) fn report(error: RegistrationError) {
    tracing::error!(%error, "monitor: registration problem");
    state().errors.push(error);
}

/// A problem found while registering annotated items.
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
    /// Two declarations of one business metric disagree (kind, labels, help or
    /// buckets); the later one is left out of the exposition.
    Incompatible {
        /// The metric name both declare.
        metric: String,
        /// `file:line` of the declaration registered first.
        first: String,
        /// `file:line` of the declaration left out of the exposition.
        second: String,
        /// How they differ.
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

/// The problems [`init`] found, all of them.
#[derive(Debug, Clone)]
pub struct InitError {
    errors: Vec<RegistrationError>,
}

impl InitError {
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
