//! Kubernetes manifests for a service that uses this crate: a `Service` naming its
//! metrics port, a `ServiceMonitor` (or a `PodMonitor`) for the Prometheus
//! Operator, the `PrometheusRule` of its alerts ([`crate::alerts`]), and the
//! container settings that point the liveness, readiness and startup probes at the
//! health endpoints and give each pod its instance identity.
//!
//! ```
//! use std::time::Duration;
//! use monitor_runtime::alerts::AlertSet;
//! use monitor_runtime::kubernetes::Manifests;
//!
//! let manifests = Manifests::new("shop")
//!     .namespace("prod")
//!     .port(9898)
//!     .scrape_interval(Duration::from_secs(15))
//!     .label("release", "kube-prometheus-stack");
//! // `kubectl apply -f` this: Service, ServiceMonitor, PrometheusRule.
//! let yaml = manifests.to_yaml(&AlertSet::new("shop").rules());
//! assert!(yaml.contains("kind: ServiceMonitor"));
//! assert!(yaml.contains("kind: PrometheusRule"));
//! // Paste this into the Deployment's container.
//! let container = manifests.container_yaml();
//! assert!(container.contains("path: /health/ready"));
//! ```
//!
//! ## What is generated
//!
//! | object | fields that matter |
//! |---|---|
//! | `Service` (`v1`) | selector `app.kubernetes.io/name: <service>`, a port named `metrics` |
//! | `ServiceMonitor` (`monitoring.coreos.com/v1`) | selects that Service, scrapes port `metrics` at `/metrics` every `scrape_interval` with `scrapeTimeout`; the pod name becomes `instance` |
//! | `PodMonitor` (`monitoring.coreos.com/v1`), instead of the two above | selects the pods, port `metrics`, the same relabelling |
//! | `PrometheusRule` (`monitoring.coreos.com/v1`) | the groups of [`crate::alerts::RuleFile`] |
//! | container settings | `ports` (`metrics`), `env` (`MONITOR_SERVICE`, `MONITOR_INSTANCE` from the pod name, see [`crate::identity`]), `livenessProbe` (`/health/live`), `readinessProbe` (`/health/ready`), `startupProbe` (`/health/startup`) |
//!
//! The labels given with [`Manifests::label`] go on every object: the Prometheus
//! resource's `serviceMonitorSelector`, `podMonitorSelector` and `ruleSelector`
//! match them (kube-prometheus-stack selects `release: <its release>`).
//!
//! The probes follow the health model: liveness checks nothing external, so a
//! restart is never caused by a dependency; readiness takes the pod out of the
//! Service while a critical check fails; the startup probe holds the other two
//! until start-up checks pass (30 × 2 s by default).

mod model;

pub use model::Manifests;
