//! The typed objects, serialised with serde: no YAML is written by hand.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::alerts::{ObjectMeta, PrometheusRule, RuleFile, promql_duration};
use crate::core::identity::{INSTANCE_ENV, SERVICE_ENV};

const MONITORING_API: &str = "monitoring.coreos.com/v1";
const NAME_LABEL: &str = "app.kubernetes.io/name";
const PORT_NAME: &str = "metrics";

/// The manifests of one service; see the [module](super) for what they hold.
///
/// ```
/// use monitor_runtime::kubernetes::Manifests;
///
/// let yaml = Manifests::new("billing").namespace("payments").container_yaml();
/// assert!(yaml.contains("name: MONITOR_SERVICE"));
/// assert!(yaml.contains("path: /health/live"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Manifests {
    service: String,
    namespace: Option<String>,
    port: u16,
    metrics_path: String,
    scrape_interval: Duration,
    scrape_timeout: Duration,
    labels: BTreeMap<String, String>,
    pod_monitor: bool,
}

impl Manifests {
    /// The manifests of `service` (its pods labelled `app.kubernetes.io/name:
    /// <service>`): port 9898 (the exporter's default), `/metrics`, every 30 s.
    pub fn new(service: &str) -> Self {
        Manifests {
            service: service.to_owned(),
            namespace: None,
            port: 9898,
            metrics_path: "/metrics".to_owned(),
            scrape_interval: Duration::from_secs(30),
            scrape_timeout: Duration::from_secs(10),
            labels: BTreeMap::new(),
            pod_monitor: false,
        }
    }

    /// The namespace of every object (the one applied to when unset).
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_owned());
        self
    }

    /// The port the exporter listens on in the container (default 9898).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The path of the metrics (default `/metrics`; the exporter nested under a
    /// prefix serves it there).
    pub fn metrics_path(mut self, path: &str) -> Self {
        self.metrics_path = path.to_owned();
        self
    }

    /// How often Prometheus scrapes (default 30 s).
    pub fn scrape_interval(mut self, interval: Duration) -> Self {
        self.scrape_interval = interval;
        self
    }

    /// How long a scrape may take (default 10 s, at most the interval).
    pub fn scrape_timeout(mut self, timeout: Duration) -> Self {
        self.scrape_timeout = timeout;
        self
    }

    /// A label on every object, for the Prometheus resource's selectors.
    pub fn label(mut self, name: &str, value: &str) -> Self {
        self.labels.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Makes [`Manifests::to_yaml`] give a `PodMonitor` instead of the `Service`
    /// and `ServiceMonitor` (for pods no Service selects).
    pub fn use_pod_monitor(mut self) -> Self {
        self.pod_monitor = true;
        self
    }

    fn metadata(&self) -> ObjectMeta {
        let mut labels = self.labels.clone();
        labels.insert(NAME_LABEL.to_owned(), self.service.clone());
        ObjectMeta {
            name: self.service.clone(),
            namespace: self.namespace.clone(),
            labels,
        }
    }

    fn selector(&self) -> LabelSelector {
        LabelSelector {
            match_labels: BTreeMap::from([(NAME_LABEL.to_owned(), self.service.clone())]),
        }
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint {
            port: PORT_NAME.to_owned(),
            path: self.metrics_path.clone(),
            interval: promql_duration(self.scrape_interval),
            scrape_timeout: promql_duration(self.scrape_timeout.min(self.scrape_interval)),
            relabelings: vec![RelabelConfig {
                source_labels: vec!["__meta_kubernetes_pod_name".to_owned()],
                target_label: "instance".to_owned(),
                action: "replace".to_owned(),
            }],
        }
    }

    /// The `Service` in front of the pods, with the `metrics` port.
    pub(crate) fn service(&self) -> Service {
        Service {
            api_version: "v1".to_owned(),
            kind: "Service".to_owned(),
            metadata: self.metadata(),
            spec: ServiceSpec {
                selector: self.selector().match_labels,
                ports: vec![ServicePort {
                    name: PORT_NAME.to_owned(),
                    port: self.port,
                    target_port: PORT_NAME.to_owned(),
                    protocol: "TCP".to_owned(),
                }],
            },
        }
    }

    /// The `ServiceMonitor` that scrapes every pod behind [`Manifests::service`],
    /// `instance` set to the pod's name.
    pub(crate) fn service_monitor(&self) -> ServiceMonitor {
        ServiceMonitor {
            api_version: MONITORING_API.to_owned(),
            kind: "ServiceMonitor".to_owned(),
            metadata: self.metadata(),
            spec: ServiceMonitorSpec {
                selector: self.selector(),
                endpoints: vec![self.endpoint()],
            },
        }
    }

    /// The `PodMonitor` that scrapes the pods directly.
    pub(crate) fn pod_monitor(&self) -> PodMonitor {
        PodMonitor {
            api_version: MONITORING_API.to_owned(),
            kind: "PodMonitor".to_owned(),
            metadata: self.metadata(),
            spec: PodMonitorSpec {
                selector: self.selector(),
                pod_metrics_endpoints: vec![self.endpoint()],
            },
        }
    }

    /// `rules` as a `PrometheusRule` with this service's name, namespace and labels.
    pub(crate) fn prometheus_rule(&self, rules: &RuleFile) -> PrometheusRule {
        let mut rule = rules.to_prometheus_rule(&self.service, self.namespace.as_deref());
        rule.metadata.labels.extend(self.labels.clone());
        rule
    }

    /// What the Deployment's container needs: its metrics port, its identity from
    /// the pod, and the three probes on the health endpoints.
    pub(crate) fn container(&self) -> Container {
        let probe = |path: &str, period: u32, failures: u32| Probe {
            http_get: HttpGet {
                path: path.to_owned(),
                port: PORT_NAME.to_owned(),
            },
            period_seconds: period,
            timeout_seconds: 2,
            failure_threshold: failures,
        };
        Container {
            ports: vec![ContainerPort {
                name: PORT_NAME.to_owned(),
                container_port: self.port,
                protocol: "TCP".to_owned(),
            }],
            env: vec![
                EnvVar {
                    name: SERVICE_ENV.to_owned(),
                    value: Some(self.service.clone()),
                    value_from: None,
                },
                EnvVar {
                    name: INSTANCE_ENV.to_owned(),
                    value: None,
                    value_from: Some(EnvVarSource {
                        field_ref: FieldRef {
                            field_path: "metadata.name".to_owned(),
                        },
                    }),
                },
            ],
            liveness_probe: probe("/health/live", 10, 3),
            readiness_probe: probe("/health/ready", 5, 3),
            startup_probe: probe("/health/startup", 2, 30),
        }
    }

    /// What the Deployment's container needs, as YAML to paste under the container:
    /// its metrics port (`metrics`), its identity from the pod (`MONITOR_SERVICE`,
    /// `MONITOR_INSTANCE` from `metadata.name`), and the liveness, readiness and
    /// startup probes on the health endpoints.
    ///
    /// ```
    /// let yaml = monitor_runtime::kubernetes::Manifests::new("shop").container_yaml();
    /// assert!(yaml.contains("readinessProbe"));
    /// ```
    pub fn container_yaml(&self) -> String {
        self.container().to_yaml()
    }

    /// Every object to apply, as one YAML stream (`---` between documents):
    /// `Service` and `ServiceMonitor` (or the `PodMonitor`), then the
    /// `PrometheusRule` of `rules`.
    pub fn to_yaml(&self, rules: &RuleFile) -> String {
        let mut documents = Vec::new();
        if self.pod_monitor {
            documents.push(to_yaml(&self.pod_monitor()));
        } else {
            documents.push(to_yaml(&self.service()));
            documents.push(to_yaml(&self.service_monitor()));
        }
        documents.push(self.prometheus_rule(rules).to_yaml());
        documents.join("---\n")
    }
}

fn to_yaml(value: &impl Serialize) -> String {
    serde_norway::to_string(value).expect("a manifest always serialises")
}

/// A `v1` `Service`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Service {
    /// `v1`.
    pub api_version: String,
    /// `Service`.
    pub kind: String,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// Selector and ports.
    pub spec: ServiceSpec,
}

/// The spec of a [`Service`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceSpec {
    /// The labels of the pods behind it.
    pub selector: BTreeMap<String, String>,
    /// Its ports.
    pub ports: Vec<ServicePort>,
}

/// A port of a [`Service`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServicePort {
    /// `metrics`, what the monitors name.
    pub name: String,
    /// The Service's port.
    pub port: u16,
    /// The container port, by name.
    pub target_port: String,
    /// `TCP`.
    pub protocol: String,
}

/// A label selector (`matchLabels`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LabelSelector {
    /// Labels an object must have.
    pub match_labels: BTreeMap<String, String>,
}

/// A `ServiceMonitor` of the Prometheus Operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceMonitor {
    /// `monitoring.coreos.com/v1`.
    pub api_version: String,
    /// `ServiceMonitor`.
    pub kind: String,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// What it scrapes.
    pub spec: ServiceMonitorSpec,
}

/// The spec of a [`ServiceMonitor`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceMonitorSpec {
    /// The Services it scrapes the endpoints of.
    pub selector: LabelSelector,
    /// How.
    pub endpoints: Vec<Endpoint>,
}

/// A `PodMonitor` of the Prometheus Operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodMonitor {
    /// `monitoring.coreos.com/v1`.
    pub api_version: String,
    /// `PodMonitor`.
    pub kind: String,
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// What it scrapes.
    pub spec: PodMonitorSpec,
}

/// The spec of a [`PodMonitor`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PodMonitorSpec {
    /// The pods it scrapes.
    pub selector: LabelSelector,
    /// How.
    pub pod_metrics_endpoints: Vec<Endpoint>,
}

/// One scraped endpoint of a monitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Endpoint {
    /// The port's name.
    pub port: String,
    /// The metrics path.
    pub path: String,
    /// The scrape interval (`30s`).
    pub interval: String,
    /// The scrape timeout.
    pub scrape_timeout: String,
    /// Relabelling before the scrape: the pod name as `instance`.
    pub relabelings: Vec<RelabelConfig>,
}

/// A relabelling rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RelabelConfig {
    /// The labels read.
    pub source_labels: Vec<String>,
    /// The label written.
    pub target_label: String,
    /// `replace`.
    pub action: String,
}

/// The settings of the service's container in its Deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Container {
    /// The `metrics` port.
    pub ports: Vec<ContainerPort>,
    /// `MONITOR_SERVICE` and `MONITOR_INSTANCE` (the pod's name).
    pub env: Vec<EnvVar>,
    /// `/health/live`.
    pub liveness_probe: Probe,
    /// `/health/ready`.
    pub readiness_probe: Probe,
    /// `/health/startup`.
    pub startup_probe: Probe,
}

impl Container {
    /// The settings as YAML, to merge into the container's entry.
    pub(crate) fn to_yaml(&self) -> String {
        to_yaml(self)
    }
}

/// A container port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContainerPort {
    /// `metrics`.
    pub name: String,
    /// The exporter's port.
    pub container_port: u16,
    /// `TCP`.
    pub protocol: String,
}

/// An environment variable of the container: a value or a field of the pod.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvVar {
    /// The variable.
    pub name: String,
    /// Its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where its value comes from instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

/// The source of an [`EnvVar`]'s value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvVarSource {
    /// A field of the pod.
    pub field_ref: FieldRef,
}

/// A field of the pod (the downward API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FieldRef {
    /// `metadata.name`.
    pub field_path: String,
}

/// A container probe over HTTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Probe {
    /// The endpoint.
    pub http_get: HttpGet,
    /// Seconds between probes.
    pub period_seconds: u32,
    /// Seconds a probe may take.
    pub timeout_seconds: u32,
    /// Failures in a row before the probe fails.
    pub failure_threshold: u32,
}

/// The endpoint of a [`Probe`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HttpGet {
    /// The path.
    pub path: String,
    /// The port, by name.
    pub port: String,
}
