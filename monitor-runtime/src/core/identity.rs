//! Who this process is among the replicas of a service: a service name, an
//! instance and a version, exposed once as `target_info` rather than as labels on
//! every series.
//!
//! ```
//! use monitor_runtime::identity::{self, Identity};
//!
//! identity::configure(Identity::new("shop").instance("shop-7f9c-2").version("1.4.0"));
//! let text = monitor_runtime::render_metrics().unwrap();
//! assert!(text.contains(
//!     r#"target_info{service_instance_id="shop-7f9c-2",service_name="shop",service_version="1.4.0"} 1"#
//! ));
//! ```
//!
//! ## Where the values come from
//!
//! | field | set by | environment variable | default |
//! |---|---|---|---|
//! | service | [`Identity::new`] | `MONITOR_SERVICE` | the name of the executable |
//! | instance | [`Identity::instance`] | `MONITOR_INSTANCE` | the host name (`HOSTNAME`, then `/proc/sys/kernel/hostname`, then `localhost`) |
//! | version | [`Identity::version`] | `MONITOR_SERVICE_VERSION` | `unknown` |
//!
//! The environment wins over the code ([`Identity::from_env_or`]), so one binary
//! gets a distinct instance per replica from its deployment (in Kubernetes, the pod
//! name through the downward API); [`crate::package_identity!`] fills the code's
//! side from the calling crate's `Cargo.toml`.
//!
//! ## What the exposition shows
//!
//! - `target_info{service_name, service_instance_id, service_version} 1`, the
//!   OpenTelemetry convention for a target's attributes: join it on `instance` to
//!   label a query with them (`… * on (instance) group_left (service_version)
//!   target_info`).
//! - `monitor_build_info{version} 1`, the version of `monitor-runtime`.
//!
//! No other series carries the identity: the scraper adds `job` and `instance` to
//! every series of a target, so replicas never collide and the cardinality of each
//! metric does not grow with replicas' labels. What pushes instead of being scraped
//! (the Pushgateway, remote-write) adds `job` (the service) and `instance` itself.

use std::sync::{LazyLock, Mutex, RwLock};

use super::model::{Family, Kind, Labels, Value};
use super::registry::{INITIALISERS, Initialiser, Phase, report};
use super::source::{Claim, Source, add_source};
use super::sync::ignore_poison;

/// The environment variable that names the service.
pub(crate) const SERVICE_ENV: &str = "MONITOR_SERVICE";
/// The environment variable that names this instance.
pub(crate) const INSTANCE_ENV: &str = "MONITOR_INSTANCE";
/// The environment variable that gives the service's version.
pub(crate) const VERSION_ENV: &str = "MONITOR_SERVICE_VERSION";

/// The identity of this process: service, instance, version.
///
/// ```
/// use monitor_runtime::identity::Identity;
///
/// let identity = Identity::new("billing").instance("billing-0").version("2.1.0");
/// assert_eq!(identity.service(), "billing");
/// assert_eq!(identity.instance_id(), "billing-0");
/// assert_eq!(identity.service_version(), "2.1.0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    service: String,
    instance: String,
    version: String,
}

impl Identity {
    /// The identity of service `service` on this host, version `unknown`; the
    /// environment is not read.
    pub fn new(service: &str) -> Self {
        Identity {
            service: non_empty(service).unwrap_or_else(executable_name),
            instance: host_name(),
            version: "unknown".to_owned(),
        }
    }

    /// Every field from the environment variables, defaults where unset or empty.
    ///
    /// ```
    /// let identity = monitor_runtime::identity::Identity::from_env();
    /// assert!(!identity.service().is_empty());
    /// assert!(!identity.instance_id().is_empty());
    /// ```
    pub fn from_env() -> Self {
        Self::from_env_or("", "")
    }

    /// The environment variables where set, else `service` and `version` (empty:
    /// the defaults), else the defaults.
    ///
    /// ```
    /// use monitor_runtime::identity::Identity;
    ///
    /// // With MONITOR_SERVICE unset, the code's name stands.
    /// # if std::env::var_os("MONITOR_SERVICE").is_none() {
    /// assert_eq!(Identity::from_env_or("orders", "1.0.0").service(), "orders");
    /// # }
    /// ```
    pub fn from_env_or(service: &str, version: &str) -> Self {
        let mut identity = Identity::new(service);
        if let Some(service) = env(SERVICE_ENV) {
            identity.service = service;
        }
        if let Some(instance) = env(INSTANCE_ENV) {
            identity.instance = instance;
        }
        identity.version = env(VERSION_ENV)
            .or_else(|| non_empty(version))
            .unwrap_or_else(|| "unknown".to_owned());
        identity
    }

    /// With instance `instance` (ignored when empty).
    pub fn instance(mut self, instance: &str) -> Self {
        if let Some(instance) = non_empty(instance) {
            self.instance = instance;
        }
        self
    }

    /// With version `version` (ignored when empty).
    pub fn version(mut self, version: &str) -> Self {
        if let Some(version) = non_empty(version) {
            self.version = version;
        }
        self
    }

    /// The service name: `job` of what this process pushes.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The instance: `instance` of what this process pushes.
    pub fn instance_id(&self) -> &str {
        &self.instance
    }

    /// The service's version.
    pub fn service_version(&self) -> &str {
        &self.version
    }
}

/// The identity of the calling crate: its package name and version from
/// `Cargo.toml`, overridden by the environment ([`Identity::from_env_or`]).
///
/// ```
/// let identity = monitor_runtime::package_identity!();
/// monitor_runtime::identity::configure(identity.clone());
/// assert_eq!(monitor_runtime::identity::current(), identity);
/// ```
#[macro_export]
macro_rules! package_identity {
    () => {
        $crate::identity::Identity::from_env_or(
            ::core::env!("CARGO_PKG_NAME"),
            ::core::env!("CARGO_PKG_VERSION"),
        )
    };
}

static CONFIGURED: RwLock<Option<Identity>> = RwLock::new(None);
static FROM_ENV: LazyLock<Identity> = LazyLock::new(Identity::from_env);

/// Makes `identity` the process' identity, for `target_info` and for what is
/// pushed from now on.
///
/// ```
/// use monitor_runtime::identity::{self, Identity};
///
/// identity::configure(Identity::new("billing").instance("billing-0").version("2.3.1"));
/// assert_eq!(identity::current().service(), "billing");
/// ```
pub fn configure(identity: Identity) {
    *ignore_poison(CONFIGURED.write()) = Some(identity);
}

/// The process' identity: the one given to [`configure`], or else
/// [`Identity::from_env`].
///
/// ```
/// let identity = monitor_runtime::identity::current();
/// assert!(!identity.service().is_empty());
/// ```
pub fn current() -> Identity {
    ignore_poison(CONFIGURED.read())
        .clone()
        .unwrap_or_else(|| FROM_ENV.clone())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().and_then(|value| non_empty(&value))
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn executable_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|path| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .and_then(|name| non_empty(&name))
        .unwrap_or_else(|| "unknown_service".to_owned())
}

fn host_name() -> String {
    env("HOSTNAME")
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .and_then(|name| non_empty(&name))
        })
        .unwrap_or_else(|| "localhost".to_owned())
}

const TARGET_INFO: &str = "target_info";
const TARGET_INFO_HELP: &str = "Attributes of this instance: service name, instance and version.";
const BUILD_INFO: &str = "monitor_build_info";
const BUILD_INFO_HELP: &str = "The version of monitor-runtime.";

const CLAIMS: [Claim; 2] = [
    Claim::new(TARGET_INFO, Kind::Info, TARGET_INFO_HELP),
    Claim::new(BUILD_INFO, Kind::Gauge, BUILD_INFO_HELP),
];

/// `target_info` (an info family: its labels are the identity) and
/// `monitor_build_info` (a gauge at 1), read at each collection so that
/// [`configure`] after start-up still shows.
struct IdentityFamilies {
    /// The identity last shown, and its labels.
    shown: Mutex<Option<(Identity, Labels)>>,
}

static IDENTITY: IdentityFamilies = IdentityFamilies {
    shown: Mutex::new(None),
};

/// `version`: this crate's.
static BUILD_LABELS: LazyLock<Labels> =
    LazyLock::new(|| Labels::new([("version", env!("CARGO_PKG_VERSION"))]));

fn target_labels(identity: &Identity) -> Labels {
    Labels::new([
        ("service_name", identity.service().to_owned()),
        ("service_instance_id", identity.instance_id().to_owned()),
        ("service_version", identity.service_version().to_owned()),
    ])
}

impl Source for IdentityFamilies {
    fn collect(&self, out: &mut Vec<Family>) {
        let identity = current();
        let labels = {
            let mut shown = ignore_poison(self.shown.lock());
            match &*shown {
                Some((last, labels)) if *last == identity => labels.clone(),
                _ => {
                    let labels = target_labels(&identity);
                    *shown = Some((identity, labels.clone()));
                    labels
                }
            }
        };
        let mut target = Family::new(TARGET_INFO, TARGET_INFO_HELP, Kind::Info);
        target.push(labels, Value::Info);
        let mut build = Family::new(BUILD_INFO, BUILD_INFO_HELP, Kind::Gauge);
        build.push(BUILD_LABELS.clone(), Value::Gauge(1.0));
        out.extend([target, build]);
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Own,
    name: "identity",
    run: register_identity_metrics,
};

/// Adds `target_info` and `monitor_build_info`; runs while the registry
/// initialises, so a clash is reported, never logged here.
fn register_identity_metrics() {
    if let Err(conflict) = add_source(
        &IDENTITY,
        &CLAIMS,
        "the instance identity",
        "the start-up of monitor_runtime",
    ) {
        report(conflict.into_error("monitor_runtime (the instance identity)"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_info_is_an_info_family_written_as_a_gauge_of_1() {
        let mut families = Vec::new();
        IDENTITY.collect(&mut families);
        let target = &families[0];
        assert_eq!(
            (target.name.as_ref(), target.kind),
            (TARGET_INFO, Kind::Info)
        );
        assert_eq!(target.series.len(), 1);
        assert_eq!(target.series[0].value, Value::Info);
        let identity = current();
        assert_eq!(
            target.series[0].labels.get("service_name"),
            Some(identity.service())
        );
        let text = crate::core::render::render_text(&crate::core::model::Snapshot { families });
        assert!(text.contains("# TYPE target_info gauge\n"), "{text}");
        let sample = text
            .lines()
            .find(|line| line.starts_with("target_info{service_instance_id="))
            .unwrap_or_else(|| panic!("no target_info sample in {text}"));
        assert!(sample.ends_with("} 1"), "{sample}");
        assert!(
            text.contains(&format!(
                "monitor_build_info{{version=\"{}\"}} 1\n",
                env!("CARGO_PKG_VERSION")
            )),
            "{text}"
        );
    }
}
