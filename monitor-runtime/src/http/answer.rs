//! The answers the exporter writes itself, in one format, shared by its routes (the
//! exporter, the dashboard, authentication, the server).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The most of a request (method, path) an error answer repeats.
const ECHO_LIMIT: usize = 32;

/// `text`, cut to [`ECHO_LIMIT`] bytes on a character boundary.
pub(super) fn clip(text: &str) -> String {
    if text.len() <= ECHO_LIMIT {
        return text.to_owned();
    }
    let mut end = ECHO_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// Every error the exporter writes itself, in one format: `404 not found: detail`.
pub(super) fn short_error(status: StatusCode, detail: &str) -> Response {
    let reason = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase();
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{} {reason}: {detail}\n", status.as_u16()),
    )
        .into_response()
}
