//! The queries of a generated dashboard, as a Prometheus-compatible server would be
//! sent them (the tests run every one against a real Prometheus).

use serde_json::Value;

/// Every `expr` of every panel of `dashboard`, with the template variables of
/// `variables` (`("job", "shop")`, `("__rate_interval", "1m")`, …) substituted, in
/// both their `$name` and `${name}` spellings: the queries a Prometheus-compatible
/// server would be sent.
pub fn expressions(dashboard: &Value, variables: &[(&str, &str)]) -> Vec<String> {
    let mut variables: Vec<(&str, &str)> = variables.to_vec();
    // `$job_name` must not be read as `$job` followed by `_name`.
    variables.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut found = Vec::new();
    collect_exprs(dashboard, &mut found);
    found
        .into_iter()
        .map(|expr| {
            let mut expr = expr;
            for (name, value) in &variables {
                expr = expr
                    .replace(&format!("${{{name}}}"), value)
                    .replace(&format!("${name}"), value);
            }
            expr
        })
        .collect()
}

fn collect_exprs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("expr", Value::String(expr)) => found.push(expr.clone()),
                    _ => collect_exprs(value, found),
                }
            }
        }
        Value::Array(values) => values.iter().for_each(|value| collect_exprs(value, found)),
        _ => {}
    }
}
