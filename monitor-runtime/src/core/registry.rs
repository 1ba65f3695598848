//! The global registry: one `prometheus::Registry` for every metric the framework
//! creates, the start-up run of every feature's initialiser, and the registration
//! problems they report.

use std::sync::{LazyLock, Mutex, OnceLock};

use prometheus::Registry;

use super::error::{InitError, RegistrationError};
use super::sync::ignore_poison;

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let registry = Registry::new();
    register_process_collector(&registry);
    registry
});

/// The process collector (CPU, memory, file descriptors of this process) reads
/// `/proc`, so it exists on Linux only, with the `system` feature.
#[cfg(all(feature = "system", target_os = "linux"))]
fn register_process_collector(registry: &Registry) {
    let collector = prometheus::process_collector::ProcessCollector::for_self();
    if let Err(error) = registry.register(Box::new(collector)) {
        tracing::error!(%error, "monitor: could not register the process collector");
    }
}

#[cfg(not(all(feature = "system", target_os = "linux")))]
fn register_process_collector(_: &Registry) {}

/// One feature's start-up work: create its series at zero, register what was
/// collected at link time, and [`report`] what went wrong.
///
/// Each feature adds one to [`INITIALISERS`], so the registry runs them all on
/// first use without naming any of them:
///
/// ```text
/// #[linkme::distributed_slice(crate::core::INITIALISERS)]
/// static INITIALISER: Initialiser = Initialiser { name: "business", run: register_all };
/// ```
pub(crate) struct Initialiser {
    /// The feature's name; initialisers run in the order of their names, so that
    /// registration (and the order of reported problems) does not depend on the
    /// order the linker happened to lay them out in.
    pub(crate) name: &'static str,
    /// The start-up work; runs once, while the registry initialises, so it must
    /// not call [`registry`] or [`init`] (use [`raw_registry`]).
    pub(crate) run: fn(),
}

/// Every feature's initialiser, collected at link time.
#[linkme::distributed_slice]
pub(crate) static INITIALISERS: [Initialiser];

/// Every registration problem reported so far, in the order they were found.
static ERRORS: LazyLock<Mutex<Vec<RegistrationError>>> = LazyLock::new(Default::default);
static INIT: OnceLock<()> = OnceLock::new();

/// The global registry that `/metrics` exposes.
///
/// Every metric created by the framework's attributes lives here. Register your own
/// collectors into it to have them served next to them:
///
/// ```
/// use monitor_runtime::prometheus::{IntCounter, Opts};
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
    init_once();
    &REGISTRY
}

/// Registers every annotated item in the program, once, and reports clashes.
///
/// Every `#[monitored]` function, business metric and `#[health_check]` function is
/// recorded at link time; `init` creates all of their series at zero. It runs by
/// itself on first access to [`registry`] (and so before the first scrape), and is
/// cheap to call again: later calls report the same result. Call it early in `main`
/// to learn about clashes at start-up:
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
    let errors = ignore_poison(ERRORS.lock());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InitError::new(errors.clone()))
    }
}

fn init_once() {
    INIT.get_or_init(|| {
        let mut initialisers: Vec<&Initialiser> = INITIALISERS.iter().collect();
        initialisers.sort_by_key(|initialiser| initialiser.name);
        for initialiser in initialisers {
            (initialiser.run)();
        }
    });
}

/// The registry without triggering start-up registration, for registration itself.
pub(crate) fn raw_registry() -> &'static Registry {
    &REGISTRY
}

/// Logs a registration problem and keeps it for [`init`] to return: the one way every
/// feature reports what it could not register.
pub(crate) fn report(error: RegistrationError) {
    tracing::error!(%error, "monitor: registration problem");
    ignore_poison(ERRORS.lock()).push(error);
}
