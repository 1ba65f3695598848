//! axum handlers under `#[monitored]`: a `5xx` `StatusCode` or `Response` is an
//! error, a `Result` is an error when `Err`, and `error_if = path` classifies any
//! other type.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use monitor_runtime::monitored;
use monitor_tests::parse_samples;

#[monitored]
async fn status_handler(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
}

#[monitored]
async fn response_handler(code: u16) -> Response {
    (StatusCode::from_u16(code).unwrap(), "body").into_response()
}

#[monitored]
async fn result_handler(fail: bool) -> Result<impl IntoResponse, StatusCode> {
    if fail {
        Err(StatusCode::BAD_GATEWAY)
    } else {
        Ok("fine")
    }
}

/// A type of another crate, classified by a function.
// `error_if` calls it with a `&T` of the returned type, here `&String`.
#[allow(clippy::ptr_arg)]
fn is_empty_text(text: &String) -> bool {
    text.is_empty()
}

#[monitored(error_if = is_empty_text)]
fn echo(text: &str) -> String {
    text.to_owned()
}

fn calls(function: &str, result: &str) -> f64 {
    parse_samples(&monitor_runtime::render_metrics().unwrap())
        .into_iter()
        .find(|s| {
            s.name == "function_calls_total"
                && s.labels
                    .iter()
                    .any(|(k, v)| k == "function" && v == function)
                && s.labels.iter().any(|(k, v)| k == "result" && v == result)
        })
        .map_or(0.0, |s| s.value)
}

#[tokio::test]
async fn server_errors_count_as_errors() {
    status_handler(200).await;
    status_handler(404).await;
    status_handler(503).await;
    response_handler(201).await;
    response_handler(500).await;
    response_handler(500).await;
    let _ = result_handler(false).await;
    let _ = result_handler(true).await;
    assert_eq!(calls("status_handler", "ok"), 2.0);
    assert_eq!(calls("status_handler", "error"), 1.0);
    assert_eq!(calls("response_handler", "ok"), 1.0);
    assert_eq!(calls("response_handler", "error"), 2.0);
    assert_eq!(calls("result_handler", "ok"), 1.0);
    assert_eq!(calls("result_handler", "error"), 1.0);
}

#[test]
fn error_if_classifies_a_foreign_type() {
    assert_eq!(echo("hello"), "hello");
    assert_eq!(echo(""), "");
    assert_eq!(echo(""), "");
    assert_eq!(calls("echo", "ok"), 1.0);
    assert_eq!(calls("echo", "error"), 2.0);
}
