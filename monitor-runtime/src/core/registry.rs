//! The global registry: one `prometheus::Registry` for every metric the framework
//! creates, the start-up run of every feature's initialiser, and the registration
//! problems they report.
//!
//! Nothing here logs while it holds a lock or runs inside a lazy initialiser: a
//! problem is recorded, and logged once the initialiser returned and every lock is
//! released ([`log_reported`]), so that a tracing layer which itself reads the
//! registry or calls a monitored function cannot deadlock on us.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};

use prometheus::Registry;

use super::error::{InitError, RegistrationError};
use super::sync::ignore_poison;

pub(super) static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);

/// One part's start-up work: create its series at zero, register what was
/// collected at link time, and [`report`] what went wrong.
///
/// Each part (every feature, and core's own figures) adds one to [`INITIALISERS`],
/// so the registry runs them all on first use without naming any of them:
///
/// ```text
/// #[linkme::distributed_slice(crate::core::INITIALISERS)]
/// static INITIALISER: Initialiser = Initialiser {
///     phase: Phase::Feature,
///     name: "business",
///     run: register_all,
/// };
/// ```
///
/// They run by [`Phase`], then by name: the order is written down beside each of
/// them, not left to the order the linker happened to lay them out in, so that
/// registration (and the order of reported problems) is the same in every build.
pub(crate) struct Initialiser {
    /// When it runs: every initialiser of an earlier phase runs before any of a
    /// later one.
    pub(crate) phase: Phase,
    /// The part's name; within a phase, initialisers run in the order of their
    /// names.
    pub(crate) name: &'static str,
    /// The start-up work; runs once, while the registry initialises, so it must
    /// not call [`registry`] or [`init`] (use [`raw_registry`]), nor log (use
    /// [`report`], which logs later).
    pub(crate) run: fn(),
}

/// When an [`Initialiser`] runs, earliest first: the order of the variants is the
/// order of the phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    /// The runtime's own figures (the exposition's counters, the instance
    /// identity): their names are claimed before any feature's, so that a part
    /// that takes one of them is the one reported and left out.
    Own,
    /// The features: annotated items, health checks, the HTTP layers, pools...
    Feature,
}

/// Every initialiser, collected at link time.
///
/// linkme names a slice's link section after the static's identifier, and two
/// slices of one name in a binary make it panic on first use: each slice of the
/// runtime carries the crate's name and version in its identifier, so that another
/// copy of the runtime or another crate's slice of the same plain name cannot
/// collide with it (`slice_names_carry_the_version` keeps them in step with the
/// version).
#[linkme::distributed_slice]
pub(crate) static MONITOR_RUNTIME_0_1_0_INITIALISERS: [Initialiser];
pub(crate) use MONITOR_RUNTIME_0_1_0_INITIALISERS as INITIALISERS;

/// Every registration problem reported so far, in the order they were found.
static ERRORS: Mutex<Vec<RegistrationError>> = Mutex::new(Vec::new());
/// The problems reported but not logged yet.
static UNLOGGED: Mutex<Vec<RegistrationError>> = Mutex::new(Vec::new());
/// Whether [`UNLOGGED`] may hold something: one atomic load per [`registry`] call.
static HAS_UNLOGGED: AtomicBool = AtomicBool::new(false);
static INIT: OnceLock<()> = OnceLock::new();

/// The `prometheus` registry of the application's own collectors, which `/metrics`
/// (and every reader of [`snapshot`](crate::snapshot)) serves next to the
/// framework's figures.
///
/// The framework's own figures are not in it: they live in the runtime's model
/// ([`model`](crate::model)), and `registry().gather()` gives only what you
/// registered. Register your collectors into it to have them served:
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
/// so that a scrape sees them all at zero before their first use. A collector whose
/// family bears a name of the framework's is left out of every exposition and
/// reported once (in [`init`]'s errors, the log and `monitor_registration_problems`);
/// [`register_collector`](crate::register_collector) refuses it at once, saying what the name belongs to.
pub fn registry() -> &'static Registry {
    init_once();
    log_reported();
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
/// Each problem is also logged once (at `error` level), after start-up registration
/// finished, never while it runs; when no `tracing` subscriber would show that event
/// (none is installed, or it filters the event out), it is printed once to stderr
/// instead, so that it is never lost.
///
/// # Errors
///
/// Returns every [`RegistrationError`] found: for example two annotated functions in
/// the same module that would produce the same series. The items involved still count
/// their calls; the later one is left out of the exposition rather than silently
/// merged with the first.
pub fn init() -> Result<(), InitError> {
    init_once();
    log_reported();
    let errors = ignore_poison(ERRORS.lock()).clone();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InitError::new(errors))
    }
}

fn init_once() {
    INIT.get_or_init(|| {
        for initialiser in initialisers_in_order() {
            (initialiser.run)();
        }
    });
}

/// Every initialiser, in the order they run: by phase, then by name.
fn initialisers_in_order() -> Vec<&'static Initialiser> {
    let mut initialisers: Vec<&Initialiser> = INITIALISERS.iter().collect();
    initialisers.sort_by_key(|initialiser| (initialiser.phase, initialiser.name));
    initialisers
}

/// The registry without triggering start-up registration, for registration itself.
pub(crate) fn raw_registry() -> &'static RawRegistry {
    &RAW
}

/// Keeps a registration problem for [`init`] to return and for [`log_reported`] to
/// log: the one way every feature reports what it could not register. It never logs
/// itself, so it may be called while holding a lock or inside a lazy initialiser.
pub(crate) fn report(error: RegistrationError) {
    ignore_poison(ERRORS.lock()).push(error.clone());
    ignore_poison(UNLOGGED.lock()).push(error);
    HAS_UNLOGGED.store(true, Ordering::Release);
}

/// Logs the problems [`report`]ed since the last call, with no lock held. Call it
/// where no lock and no lazy initialiser of the runtime is active; until start-up
/// registration finished it does nothing (it may be running on this very thread).
pub(crate) fn log_reported() {
    // A plain load first: `registry()` calls this every time.
    if INIT.get().is_none()
        || !HAS_UNLOGGED.load(Ordering::Acquire)
        || !HAS_UNLOGGED.swap(false, Ordering::AcqRel)
    {
        return;
    }
    let unlogged = std::mem::take(&mut *ignore_poison(UNLOGGED.lock()));
    for error in unlogged {
        tracing::error!(%error, "monitor: registration problem");
        // With no subscriber that shows it (none installed, or one that filters it
        // out), the problem would go unseen: printed once to stderr instead.
        if !tracing::enabled!(tracing::Level::ERROR) {
            eprintln!("monitor: registration problem: {error}");
        }
    }
}

pub(super) static RAW: RawRegistry = RawRegistry {
    owners: Mutex::new(None),
};

/// The global registry as features register into it: it remembers what registered
/// each metric family, so that a later clash says with what it conflicts instead of
/// prometheus's "Duplicate metrics collector registration attempted" or a dump of
/// its descriptor.
pub(crate) struct RawRegistry {
    /// Metric name → what registered it, and where.
    pub(super) owners: Mutex<Option<HashMap<String, Owner>>>,
}

#[derive(Debug, Clone)]
pub(super) struct Owner {
    pub(super) what: String,
    pub(super) location: String,
}

impl RawRegistry {
    /// What registered a collector of family `name` in the registry, and where, if
    /// one was registered through the runtime ([`register_collector`](crate::register_collector) or a part
    /// that still registers a collector).
    pub(super) fn holder(&self, name: &str) -> Option<(String, String)> {
        ignore_poison(self.owners.lock())
            .as_ref()?
            .get(name)
            .map(|owner| (owner.what.clone(), owner.location.clone()))
    }
}

/// A collector the registry refused because something registered before it holds
/// one of its names. Its `Display` is "`name` conflicts with `what` registered at
/// `where`".
#[derive(Debug, Clone)]
pub(crate) struct Conflict {
    metric: String,
    with: String,
    registered_at: String,
    /// What prometheus said.
    reason: String,
}

impl Conflict {
    /// `metric` is taken by `with`, registered at `registered_at`; `reason` says how
    /// the two differ.
    pub(crate) fn new(metric: &str, with: &str, registered_at: &str, reason: String) -> Self {
        Self {
            metric: metric.to_owned(),
            with: with.to_owned(),
            registered_at: registered_at.to_owned(),
            reason,
        }
    }

    /// The registration problem of the item at `location` whose collector this is.
    pub(crate) fn into_error(self, location: impl fmt::Display) -> RegistrationError {
        RegistrationError::Conflict {
            metric: self.metric,
            location: location.to_string(),
            with: self.with,
            registered_at: self.registered_at,
            reason: self.reason,
        }
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` conflicts with {} registered at {}",
            self.metric, self.with, self.registered_at
        )
    }
}

impl std::error::Error for Conflict {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_figures_register_through_the_slice_before_every_feature() {
        let order: Vec<(Phase, &str)> = initialisers_in_order()
            .iter()
            .map(|initialiser| (initialiser.phase, initialiser.name))
            .collect();
        assert_eq!(
            order[..3],
            [
                (Phase::Own, "exposition"),
                (Phase::Own, "identity"),
                (Phase::Own, "trace context")
            ]
        );
        assert!(
            order[3..].iter().all(|(phase, _)| *phase == Phase::Feature),
            "{order:?}"
        );
        let features: Vec<&str> = order[3..].iter().map(|(_, name)| *name).collect();
        assert!(features.contains(&"monitored") && features.contains(&"health"));
        assert!(features.is_sorted(), "{features:?}");
    }

    #[test]
    fn slice_names_carry_the_version() {
        let prefix = format!(
            "static MONITOR_RUNTIME_{}_",
            env!("CARGO_PKG_VERSION").replace(['.', '-', '+'], "_")
        );
        for (file, source) in [
            ("core/registry.rs", include_str!("registry.rs")),
            ("monitored/mod.rs", include_str!("../monitored/mod.rs")),
            ("health/engine.rs", include_str!("../health/engine.rs")),
            (
                "business/private.rs",
                include_str!("../business/private.rs"),
            ),
        ] {
            let declaration = source
                .split("#[linkme::distributed_slice]\n")
                .nth(1)
                .unwrap_or_else(|| panic!("{file} declares a slice"));
            assert!(
                declaration.lines().next().unwrap().contains(&prefix),
                "{file}: the slice's identifier must start with `{prefix}`"
            );
        }
    }
}
