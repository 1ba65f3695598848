//! The generated Grafana dashboards against Grafana's own JSON schemas (the dashboard
//! model, the Prometheus query, the options of each panel kind) and against the
//! habits of provisionable dashboards: one `datasource` variable and no `${DS_…}`
//! input, `$__rate_interval` in every rate, a title, a description and a unit on
//! every panel, aggregation over instances before ratios and quantiles.

use std::collections::BTreeSet;
use std::time::Duration;

use monitor_runtime::alerts::Objective;
use monitor_runtime::grafana::{self, BusinessMetric, Service};
use monitor_runtime::model::Kind;
use monitor_tests::grafana::schema;
use serde_json::Value;

fn service() -> Service {
    Service::new("shop")
        .business(BusinessMetric::new(
            "orders_total",
            Kind::Counter,
            "Orders.",
        ))
        .business(BusinessMetric::new("carts_open", Kind::Gauge, "Carts."))
        .business(BusinessMetric::new(
            "basket_items",
            Kind::Histogram,
            "Items.",
        ))
        .objective(
            Objective::new("checkout", "shop::orders", "checkout")
                .success(0.999)
                .latency(Duration::from_millis(250), 0.99),
        )
}

fn validate(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} breaks the schema:\n{}",
        errors.join("\n")
    );
}

fn panels(dashboard: &Value) -> &[Value] {
    dashboard["panels"].as_array().expect("panels")
}

#[test]
fn dashboards_follow_the_grafana_schemas() {
    let dashboard_schema = schema("dashboard", None);
    assert_eq!(
        dashboard_schema["$schema"], "http://json-schema.org/draft-07/schema#",
        "the schema's draft changed: choose the matching validator"
    );
    let dashboards = jsonschema::draft7::new(&dashboard_schema).expect("a valid schema");
    let queries = jsonschema::draft7::new(&schema("prometheus", None)).expect("a valid schema");
    let options: Vec<(&str, jsonschema::Validator)> = ["timeseries", "stat", "table"]
        .into_iter()
        .map(|kind| {
            let validator =
                jsonschema::draft7::new(&schema(kind, Some("Options"))).expect("a valid schema");
            (kind, validator)
        })
        .collect();
    for service in [service(), Service::new("empty")] {
        let generated = grafana::dashboards(&service);
        assert_eq!(generated.len(), 7);
        for dashboard in &generated {
            let uid = dashboard["uid"].as_str().unwrap();
            validate(&dashboards, dashboard, uid);
            for panel in panels(dashboard) {
                let title = format!("{uid} / {}", panel["title"]);
                for target in panel["targets"].as_array().unwrap() {
                    validate(&queries, target, &title);
                }
                if let Some((_, validator)) =
                    options.iter().find(|(kind, _)| panel["type"] == *kind)
                {
                    validate(validator, &panel["options"], &title);
                }
            }
        }
    }
}

#[test]
fn dashboards_keep_the_habits_of_provisioning() {
    let generated = grafana::dashboards(&service());
    let uids: BTreeSet<&str> = generated
        .iter()
        .map(|d| d["uid"].as_str().unwrap())
        .collect();
    assert_eq!(uids.len(), generated.len(), "uids are unique");
    for dashboard in &generated {
        let uid = dashboard["uid"].as_str().unwrap();
        assert!(
            uid.len() <= 40,
            "{uid}: a Grafana uid is at most 40 characters"
        );
        let text = dashboard.to_string();
        assert!(
            !text.contains("${DS_"),
            "{uid}: an import input breaks provisioning"
        );
        assert!(dashboard.get("__inputs").is_none(), "{uid}");
        let variables = dashboard["templating"]["list"].as_array().unwrap();
        let datasources: Vec<&Value> = variables
            .iter()
            .filter(|variable| variable["type"] == "datasource")
            .collect();
        assert_eq!(datasources.len(), 1, "{uid}: one datasource variable");
        assert_eq!(datasources[0]["name"], "datasource");
        assert_eq!(datasources[0]["query"], "prometheus");
        for variable in variables.iter().filter(|v| v["type"] == "query") {
            assert_eq!(
                variable["datasource"]["uid"], "${datasource}",
                "{uid}: {variable}"
            );
        }
        let mut ids = BTreeSet::new();
        for panel in panels(dashboard) {
            let title = panel["title"].as_str().unwrap_or_default();
            assert!(!title.is_empty(), "{uid}: a panel without a title");
            assert!(
                panel["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{uid} / {title}: no description"
            );
            assert!(
                panel["fieldConfig"]["defaults"]["unit"]
                    .as_str()
                    .is_some_and(|unit| !unit.is_empty()),
                "{uid} / {title}: no unit"
            );
            assert!(
                ids.insert(panel["id"].as_u64().unwrap()),
                "{uid}: panel ids repeat"
            );
            let grid = &panel["gridPos"];
            assert!(grid["x"].as_u64().unwrap() + grid["w"].as_u64().unwrap() <= 24);
            assert_eq!(
                panel["datasource"]["uid"], "${datasource}",
                "{uid} / {title}"
            );
            for target in panel["targets"].as_array().unwrap() {
                assert_eq!(
                    target["datasource"]["uid"], "${datasource}",
                    "{uid} / {title}"
                );
                let expr = target["expr"].as_str().unwrap();
                check_expr(uid, title, expr);
            }
        }
    }
}

/// Every `rate(` over `$__rate_interval`; every quantile over buckets summed by
/// `le`; every division between sums (aggregated over instances first).
fn check_expr(uid: &str, title: &str, expr: &str) {
    let context = format!("{uid} / {title}: {expr}");
    for (index, _) in expr.match_indices("rate(") {
        let rest = &expr[index..];
        let close = rest.find(']').expect("a range");
        assert!(
            rest[..close].ends_with("[$__rate_interval"),
            "a rate not over $__rate_interval: {context}"
        );
    }
    for (index, _) in expr.match_indices("histogram_quantile(") {
        let rest = &expr[index..];
        assert!(
            rest.contains("sum by (le"),
            "a quantile of buckets not summed by le: {context}"
        );
    }
    if expr.contains(" / ") {
        for side in expr.split(" / ") {
            let side = side
                .trim_start_matches("topk(10, ")
                .trim_start_matches("1 - (")
                .trim_start_matches(['(', ' ']);
            assert!(
                side.starts_with("sum")
                    || side.starts_with("topk(10, sum")
                    || side.starts_with("0.")
                    || side.starts_with("1")
                    || side.parse::<f64>().is_ok(),
                "a ratio of series not summed over instances: {context} (side `{side}`)"
            );
        }
    }
    assert!(
        expr.contains("job=~\"$job\""),
        "a query not narrowed to $job: {context}"
    );
}

#[test]
fn objectives_get_panels_of_their_own() {
    let none = grafana::dashboards(&Service::new("shop"));
    let objectives = &none[5];
    assert_eq!(objectives["uid"], "shop-objectives");
    assert_eq!(panels(objectives).len(), 1);
    assert_eq!(panels(objectives)[0]["type"], "text");

    let two = Service::new("shop")
        .objective(Objective::new("pay", "shop", "pay").success(0.99))
        .objective(
            Objective::new("ship", "shop", "ship").latency(Duration::from_millis(100), 0.95),
        );
    let dashboards = grafana::dashboards(&two);
    let titles: Vec<&str> = panels(&dashboards[5])
        .iter()
        .map(|panel| panel["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "pay: success ratio",
            "pay: error budget burn rate",
            "ship: calls faster than 0.1 s"
        ]
    );
    let exprs = monitor_runtime::__private::grafana_expressions(&dashboards[5], &[]);
    assert!(exprs[2].contains("le=\"0.1\""), "{}", exprs[2]);
}
