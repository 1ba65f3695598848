//! axum handlers under `#[monitored]`: a `5xx` `StatusCode`, `Response` or
//! `(StatusCode, T)` is an error, a `Result` is an error when `Err` or when its `Ok`
//! value is one of those with a `5xx` status, an opaque `impl IntoResponse` is not
//! inspected, and `error_if = path` classifies any other type.

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use monitor_runtime::monitored;
use monitor_tests::parse_samples;
use tower::ServiceExt;

#[derive(Debug)]
struct Failure;

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (StatusCode::BAD_GATEWAY, "upstream failed").into_response()
    }
}

/// `0`: `Err`; another code: `Ok` with that status.
fn status_of(code: u16) -> Result<StatusCode, Failure> {
    match code {
        0 => Err(Failure),
        code => Ok(StatusCode::from_u16(code).unwrap()),
    }
}

#[monitored]
async fn result_response(Path(code): Path<u16>) -> Result<Response, Failure> {
    Ok((status_of(code)?, "body").into_response())
}

#[monitored]
async fn result_status(Path(code): Path<u16>) -> Result<StatusCode, Failure> {
    status_of(code)
}

#[monitored]
async fn result_tuple(Path(code): Path<u16>) -> Result<(StatusCode, String), Failure> {
    Ok((status_of(code)?, format!("answered {code}")))
}

#[monitored]
async fn tuple_handler(Path(code): Path<u16>) -> (StatusCode, &'static str) {
    (status_of(code).unwrap_or(StatusCode::BAD_GATEWAY), "body")
}

/// Declared opaque, but the body's value is a `(StatusCode, &str)`, which the
/// expansion sees: classified by its status.
#[monitored]
async fn result_declared_opaque(Path(code): Path<u16>) -> Result<impl IntoResponse, Failure> {
    Ok((status_of(code)?, "body"))
}

/// An answer built elsewhere, opaque wherever it is used.
fn answer(code: u16) -> Result<impl IntoResponse, Failure> {
    Ok((status_of(code)?, "body"))
}

/// Truly opaque: the `Ok` value cannot be inspected, so only `Err` counts.
#[monitored]
async fn result_opaque(Path(code): Path<u16>) -> Result<impl IntoResponse, Failure> {
    answer(code)
}

const ROUTES: [&str; 6] = [
    "response",
    "status",
    "tuple-result",
    "tuple",
    "declared-opaque",
    "opaque",
];

/// Each handler on its own route, called through axum with each code in turn;
/// returns the statuses axum answered.
async fn call_all(codes: &[u16]) -> Vec<(String, u16)> {
    let app = Router::new()
        .route("/response/{code}", get(result_response))
        .route("/status/{code}", get(result_status))
        .route("/tuple-result/{code}", get(result_tuple))
        .route("/tuple/{code}", get(tuple_handler))
        .route("/declared-opaque/{code}", get(result_declared_opaque))
        .route("/opaque/{code}", get(result_opaque));
    let mut answered = Vec::new();
    for route in ROUTES {
        for code in codes {
            let request = Request::get(format!("/{route}/{code}"))
                .body(Body::empty())
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            answered.push((route.to_owned(), response.status().as_u16()));
        }
    }
    answered
}

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

#[tokio::test]
async fn ok_answers_with_a_server_error_status_count_as_errors() {
    let answered = call_all(&[200, 404, 500, 503, 0]).await;
    // axum answered what the handlers returned: the `Err` as the error's 502.
    for route in ROUTES {
        let codes: Vec<u16> = answered
            .iter()
            .filter(|(r, _)| r == route)
            .map(|(_, code)| *code)
            .collect();
        assert_eq!(codes, [200, 404, 500, 503, 502], "{route}");
    }
    // Concrete types: `Ok` with 500 or 503 and the `Err` are errors.
    for function in [
        "result_response",
        "result_status",
        "result_tuple",
        "result_declared_opaque",
    ] {
        assert_eq!(calls(function, "ok"), 2.0, "{function}");
        assert_eq!(calls(function, "error"), 3.0, "{function}");
    }
    // `(StatusCode, T)`: by its status (the 502 of `0` included).
    assert_eq!(calls("tuple_handler", "ok"), 2.0);
    assert_eq!(calls("tuple_handler", "error"), 3.0);
    // An opaque `Ok` value: only the `Err` is seen as an error.
    assert_eq!(calls("result_opaque", "ok"), 4.0);
    assert_eq!(calls("result_opaque", "error"), 1.0);
}
