//! The generated Kubernetes manifests parse as YAML and carry the documented
//! fields: the Service and its `metrics` port, the ServiceMonitor (or PodMonitor)
//! that scrapes it, the PrometheusRule of the alerts, and the container's probes
//! and identity. No cluster is needed: the objects are read back as untyped YAML,
//! as `kubectl` would read them, not compared as strings.

use std::time::Duration;

use monitor_runtime::alerts::AlertSet;
use monitor_runtime::kubernetes::Manifests;
use serde::Deserialize;
use serde_norway::Value;

fn documents(yaml: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(yaml)
        .map(|document| Value::deserialize(document).expect("each document is YAML"))
        .collect()
}

fn manifests() -> Manifests {
    Manifests::new("shop")
        .namespace("prod")
        .port(9100)
        .scrape_interval(Duration::from_secs(15))
        .scrape_timeout(Duration::from_secs(5))
        .label("release", "kube-prometheus-stack")
}

#[test]
fn the_bundle_holds_a_service_its_service_monitor_and_the_prometheus_rule() {
    let rules = AlertSet::new("shop").rules();
    let docs = documents(&manifests().to_yaml(&rules));
    let kinds: Vec<&str> = docs
        .iter()
        .map(|doc| doc["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Service", "ServiceMonitor", "PrometheusRule"]);
    for doc in &docs {
        assert_eq!(doc["metadata"]["name"], "shop");
        assert_eq!(doc["metadata"]["namespace"], "prod");
        assert_eq!(
            doc["metadata"]["labels"]["release"],
            "kube-prometheus-stack"
        );
        assert_eq!(doc["metadata"]["labels"]["app.kubernetes.io/name"], "shop");
    }

    let service = &docs[0];
    assert_eq!(service["apiVersion"], "v1");
    assert_eq!(
        service["spec"]["selector"]["app.kubernetes.io/name"],
        "shop"
    );
    let port = &service["spec"]["ports"][0];
    assert_eq!(port["name"], "metrics");
    assert_eq!(port["port"], 9100);
    assert_eq!(port["targetPort"], "metrics");

    let monitor = &docs[1];
    assert_eq!(monitor["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(
        monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
        "shop"
    );
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!(endpoint["port"], "metrics");
    assert_eq!(endpoint["path"], "/metrics");
    assert_eq!(endpoint["interval"], "15s");
    assert_eq!(endpoint["scrapeTimeout"], "5s");
    let relabel = &endpoint["relabelings"][0];
    assert_eq!(relabel["sourceLabels"][0], "__meta_kubernetes_pod_name");
    assert_eq!(relabel["targetLabel"], "instance");

    let rule = &docs[2];
    assert_eq!(rule["apiVersion"], "monitoring.coreos.com/v1");
    let groups = rule["spec"]["groups"].as_sequence().expect("groups");
    let generated: Value = serde_norway::from_str(&rules.to_yaml()).unwrap();
    assert_eq!(groups, generated["groups"].as_sequence().unwrap());
    assert!(
        groups.iter().any(|group| group["rules"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|rule| rule["alert"] == "FunctionErrorRatioCritical")),
        "the service alerts are in the PrometheusRule"
    );
}

#[test]
fn a_pod_monitor_replaces_the_service_and_its_monitor() {
    let docs = documents(
        &manifests()
            .use_pod_monitor()
            .to_yaml(&AlertSet::new("shop").rules()),
    );
    let kinds: Vec<&str> = docs
        .iter()
        .map(|doc| doc["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["PodMonitor", "PrometheusRule"]);
    let endpoint = &docs[0]["spec"]["podMetricsEndpoints"][0];
    assert_eq!(endpoint["port"], "metrics");
    assert_eq!(endpoint["path"], "/metrics");
    assert_eq!(
        docs[0]["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
        "shop"
    );
}

#[test]
fn the_container_probes_the_health_endpoints_and_names_its_instance_after_the_pod() {
    let container: Value = serde_norway::from_str(&manifests().container_yaml()).unwrap();
    assert_eq!(container["ports"][0]["name"], "metrics");
    assert_eq!(container["ports"][0]["containerPort"], 9100);
    for (probe, path) in [
        ("livenessProbe", "/health/live"),
        ("readinessProbe", "/health/ready"),
        ("startupProbe", "/health/startup"),
    ] {
        assert_eq!(container[probe]["httpGet"]["path"], path, "{probe}");
        assert_eq!(container[probe]["httpGet"]["port"], "metrics", "{probe}");
        assert!(container[probe]["periodSeconds"].as_u64().unwrap() > 0);
        assert!(container[probe]["failureThreshold"].as_u64().unwrap() > 0);
    }
    let env = container["env"].as_sequence().unwrap();
    let variable = |name: &str| env.iter().find(|var| var["name"] == name).cloned().unwrap();
    assert_eq!(variable("MONITOR_SERVICE")["value"], "shop");
    assert_eq!(
        variable("MONITOR_INSTANCE")["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.name"
    );
}

/// The probe paths of the manifest are the ones the exporter serves: each answers
/// on a running exporter.
#[tokio::test(flavor = "multi_thread")]
async fn the_probe_paths_answer_on_the_exporter() {
    let server = monitor_tests::server::TestServer::start();
    let container: Value = serde_norway::from_str(&manifests().container_yaml()).unwrap();
    let mut answered = 0;
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let path = container[probe]["httpGet"]["path"].as_str().unwrap();
        let response = monitor_tests::http::get(&server.url(path)).await.unwrap();
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        answered += 1;
    }
    assert_eq!(answered, 3);
}
