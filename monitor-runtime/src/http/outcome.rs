//! How `#[monitored]` classifies what axum handlers return: a `5xx` status is an
//! error, anything else a success.
//!
//! - `StatusCode`, `Response<B>`, `(StatusCode, T)` and `(StatusCode, T, U)`: by
//!   their status.
//! - `Result<T, E>`: an error when it is `Err`, and also when it is `Ok` with a
//!   value of one of the types above whose status is `5xx` (`Result<Response, E>`,
//!   `Result<StatusCode, E>`, `Result<(StatusCode, String), E>`…).
//! - The value's type is the one the body produces: `-> Result<impl IntoResponse,
//!   E>` returning `Ok((StatusCode, &str))` is classified by the tuple. A value
//!   that is opaque in the body too (the `impl IntoResponse` of another function)
//!   cannot be inspected without turning it into a response, which would consume
//!   it: it counts as `ok` (an `Err` still counts as an error). Return a concrete
//!   type, classify it with `#[monitored(error_if = path)]`, or rely on
//!   [`HttpMetricsLayer`](super::HttpMetricsLayer), which classifies by the status
//!   actually sent.
//! - Other foreign types: `#[monitored(error_if = path)]` names a `fn(&T) -> bool`.

use axum::http::StatusCode;

use crate::core::CallOutcome;

/// A `5xx` status is an error.
impl CallOutcome for StatusCode {
    #[inline]
    fn is_error(&self) -> bool {
        self.is_server_error()
    }
}

/// A response whose status is `5xx` is an error.
impl<B> CallOutcome for axum::http::Response<B> {
    #[inline]
    fn is_error(&self) -> bool {
        self.status().is_server_error()
    }
}

/// A `(status, body)` answer whose status is `5xx` is an error.
impl<T> CallOutcome for (StatusCode, T) {
    #[inline]
    fn is_error(&self) -> bool {
        self.0.is_server_error()
    }
}

/// A `(status, headers, body)` answer whose status is `5xx` is an error.
impl<T, U> CallOutcome for (StatusCode, T, U) {
    #[inline]
    fn is_error(&self) -> bool {
        self.0.is_server_error()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::{IntoResponse, Response};

    #[test]
    fn server_errors_only() {
        assert!(StatusCode::BAD_GATEWAY.is_error());
        assert!(!StatusCode::NOT_FOUND.is_error());
        let response: Response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        assert!(response.is_error());
        assert!(!"fine".into_response().is_error());
        assert!((StatusCode::SERVICE_UNAVAILABLE, "down").is_error());
        assert!(!(StatusCode::CREATED, [("x-id", "1")], "made").is_error());
    }
}
