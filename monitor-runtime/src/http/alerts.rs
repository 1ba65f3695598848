//! `GET /alerts/rules.yml`: the process' alert definitions as a Prometheus rule file.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// The content type of the rule file.
const YAML: &str = "application/yaml";

/// The alert routes, merged into the exporter's.
pub(super) fn routes() -> Router {
    Router::new().route("/alerts/rules.yml", get(rules))
}

async fn rules() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, YAML)],
        crate::alerts::rules().to_yaml(),
    )
}
