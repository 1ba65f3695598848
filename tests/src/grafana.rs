//! The generated Grafana dashboards as the tests use them: every panel query with its
//! template variables substituted, ready for a Prometheus-compatible query API, and
//! the Grafana JSON schemas kept in `tests/grafana-schemas/`.

use std::path::PathBuf;

use monitor_runtime::grafana::{self, Service};
use serde_json::Value;

/// One panel query of a generated dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelQuery {
    /// The dashboard's uid.
    pub dashboard: String,
    /// The query, variables substituted.
    pub expr: String,
}

/// The values the template variables get: `job`, `function` and
/// `$__rate_interval` (Grafana's own: at least four scrape intervals).
#[derive(Debug, Clone)]
pub struct Variables {
    /// The Prometheus job of the scraped app.
    pub job: String,
    /// A function of the app, for the function explorer.
    pub function: String,
    /// What `$__rate_interval` stands for, such as `1m`.
    pub rate_interval: String,
}

/// Every `expr` of every dashboard generated for `service`, with `variables`
/// substituted.
pub fn queries(service: &Service, variables: &Variables) -> Vec<PanelQuery> {
    let substitutions = [
        ("job", variables.job.as_str()),
        ("function", variables.function.as_str()),
        ("__rate_interval", variables.rate_interval.as_str()),
    ];
    grafana::dashboards(service)
        .iter()
        .flat_map(|dashboard| {
            let uid = dashboard["uid"].as_str().unwrap_or_default().to_owned();
            monitor_runtime::__private::grafana_expressions(dashboard, &substitutions)
                .into_iter()
                .map(move |expr| PanelQuery {
                    dashboard: uid.clone(),
                    expr,
                })
        })
        .collect()
}

/// The directory of the Grafana JSON schemas: `$MONITOR_GRAFANA_SCHEMAS`, or
/// `tests/grafana-schemas` (Grafana's draft-07 schemas, unchanged; see its README).
pub fn schema_dir() -> PathBuf {
    std::env::var_os("MONITOR_GRAFANA_SCHEMAS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("grafana-schemas"),
        PathBuf::from,
    )
}

/// The schema `name` (`dashboard`, `prometheus`, `timeseries`, ...), with its root
/// pointed at `definition` when given (the panel schemas have no root of their own).
///
/// # Panics
///
/// If the file is missing or not JSON.
pub fn schema(name: &str, definition: Option<&str>) -> Value {
    let path = schema_dir().join(format!("{name}.jsonschema.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut schema: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    if let Some(definition) = definition {
        schema["$ref"] = Value::String(format!("#/definitions/{definition}"));
    }
    schema
}
