//! How `#[monitored]` classifies what axum handlers return: a `5xx` status is an
//! error, anything else a success. A `Result` (the `Result<impl IntoResponse, E>` of
//! a fallible handler) is an error when it is `Err`, as every `Result`; for other
//! foreign types, `#[monitored(error_if = path)]` names a `fn(&T) -> bool`.

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
    }
}
