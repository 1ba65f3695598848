//! The typed form of a Prometheus rule file and of a Kubernetes `PrometheusRule`
//! manifest, serialised with serde: no YAML is written by hand.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A Prometheus rule file: `groups:` of recording and alerting rules.
///
/// ```
/// use monitor_runtime::alerts::{AlertSet, ServiceAlerts};
///
/// let file = AlertSet::new("shop").service_alerts(ServiceAlerts::default()).rules();
/// assert!(file.alerts().any(|alert| alert.alert == "TargetDown"));
/// assert!(file.to_yaml().starts_with("groups:"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RuleFile {
    /// The groups, evaluated independently by Prometheus.
    pub groups: Vec<RuleGroup>,
}

/// One group of rules, evaluated in order at each interval.
///
/// ```
/// use monitor_runtime::alerts::{AlertSet, RecordingRule, Rule, RuleGroup};
///
/// let mut file = AlertSet::new("shop").rules();
/// file.groups.push(RuleGroup {
///     name: "shop-own".to_owned(),
///     interval: None,
///     rules: vec![Rule::Recording(RecordingRule {
///         record: "shop:orders:rate5m".to_owned(),
///         expr: "sum(rate(orders_total[5m]))".to_owned(),
///         labels: Default::default(),
///     })],
/// });
/// assert!(file.to_yaml().contains("shop:orders:rate5m"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleGroup {
    /// The group's name, unique in the file.
    pub name: String,
    /// The evaluation interval (`"30s"`); Prometheus' global one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// The rules, in evaluation order.
    pub rules: Vec<Rule>,
}

/// A recording or an alerting rule.
///
/// ```
/// use monitor_runtime::alerts::{AlertSet, Objective, Rule};
///
/// let file = AlertSet::new("shop")
///     .objective(Objective::new("pay", "shop", "pay").success(0.999))
///     .rules();
/// let records = file.groups.iter().flat_map(|group| &group.rules)
///     .filter(|rule| matches!(rule, Rule::Recording(_)))
///     .count();
/// assert!(records > 0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Rule {
    /// `record:` a new series from an expression.
    Recording(RecordingRule),
    /// `alert:` fires while the expression returns series (after `for`).
    Alerting(AlertingRule),
}

/// A recording rule.
///
/// ```
/// use monitor_runtime::alerts::{AlertSet, Objective, Rule};
///
/// let file = AlertSet::new("shop")
///     .objective(Objective::new("pay", "shop", "pay").success(0.999))
///     .rules();
/// let recorded: Vec<&str> = file.groups.iter().flat_map(|group| &group.rules)
///     .filter_map(|rule| match rule { Rule::Recording(r) => Some(r.record.as_str()), _ => None })
///     .collect();
/// assert!(recorded.contains(&"monitor_slo:requests_error_ratio:rate5m"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingRule {
    /// The recorded series' name (`level:metric:operations`).
    pub record: String,
    /// The PromQL expression.
    pub expr: String,
    /// Labels added to the result.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// An alerting rule.
///
/// ```
/// use monitor_runtime::alerts::AlertSet;
///
/// let file = AlertSet::new("shop").rules();
/// let down = file.alerts().find(|alert| alert.alert == "TargetDown").unwrap();
/// assert_eq!(down.labels["severity"], "critical");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertingRule {
    /// The alert's name.
    pub alert: String,
    /// The PromQL expression: the alert is active for each series it returns.
    pub expr: String,
    /// How long the expression must hold before the alert fires (pending until then).
    #[serde(rename = "for", default, skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    /// Labels of the alert (`severity` among them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// `summary` and `description`, templates over `$labels` and `$value`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// A Kubernetes `PrometheusRule` (the Prometheus operator's custom resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PrometheusRule {
    /// `monitoring.coreos.com/v1`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `PrometheusRule`.
    pub kind: String,
    /// Name, namespace and labels (a Prometheus' `ruleSelector` matches the labels).
    pub metadata: ObjectMeta,
    /// The rule groups.
    pub spec: RuleFile,
}

/// The metadata of a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ObjectMeta {
    /// The object's name.
    pub name: String,
    /// Its namespace; the one applied to when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Its labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl RuleFile {
    /// The file as YAML, as Prometheus' `rule_files` read it.
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).expect("a rule file always serialises")
    }

    /// The groups wrapped in a `PrometheusRule` named `name`.
    pub(crate) fn to_prometheus_rule(&self, name: &str, namespace: Option<&str>) -> PrometheusRule {
        PrometheusRule {
            api_version: "monitoring.coreos.com/v1".to_owned(),
            kind: "PrometheusRule".to_owned(),
            metadata: ObjectMeta {
                name: name.to_owned(),
                namespace: namespace.map(ToOwned::to_owned),
                labels: BTreeMap::from([("app.kubernetes.io/name".to_owned(), name.to_owned())]),
            },
            spec: self.clone(),
        }
    }

    /// Every alerting rule of every group.
    pub fn alerts(&self) -> impl Iterator<Item = &AlertingRule> {
        self.groups.iter().flat_map(|group| {
            group.rules.iter().filter_map(|rule| match rule {
                Rule::Alerting(alert) => Some(alert),
                Rule::Recording(_) => None,
            })
        })
    }
}

impl PrometheusRule {
    /// The manifest as YAML, for `kubectl apply -f`.
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).expect("a manifest always serialises")
    }
}
