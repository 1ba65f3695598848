//! Authentication of the exporter's routes: a bearer token or HTTP basic
//! credentials, compared in constant time, checked by a middleware in front of the
//! routes that need it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use subtle::{Choice, ConstantTimeEq};

/// The environment variable [`Exporter`](super::Exporter) reads its bearer token from.
/// (`MONITOR_HEALTH_TOKEN` keeps its own, narrower meaning: it hides health reasons
/// and details, and protects nothing else.)
pub(super) const TOKEN_VARIABLE: &str = "MONITOR_TOKEN";

/// The paths that answer a probe's status: public unless the probes are protected.
const PROBE_PATHS: [&str; 5] = [
    "/livez",
    "/readyz",
    "/health/live",
    "/health/ready",
    "/health/startup",
];

/// Who may read the protected routes.
#[derive(Clone, Default)]
pub(super) struct Credentials {
    /// The bearer token.
    pub(super) token: Option<Arc<[u8]>>,
    /// `user:password`, base64-encoded as a client sends it.
    pub(super) basic: Option<Arc<[u8]>>,
    /// Whether the probe status paths need credentials too.
    pub(super) protect_probes: bool,
}

impl Credentials {
    /// The token of the environment: `MONITOR_TOKEN`.
    pub(super) fn from_env() -> Self {
        let token = std::env::var(TOKEN_VARIABLE)
            .ok()
            .filter(|value| !value.is_empty());
        Self {
            token: token.map(|token| token.into_bytes().into()),
            ..Self::default()
        }
    }

    pub(super) fn is_set(&self) -> bool {
        self.token.is_some() || self.basic.is_some()
    }

    /// Whether an `Authorization` header value carries valid credentials. The scheme
    /// is case-insensitive; the credentials are compared in constant time, whatever
    /// their length.
    pub(super) fn accepts(&self, authorization: Option<&[u8]>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let Some(space) = value.iter().position(|byte| *byte == b' ') else {
            return false;
        };
        let (scheme, given) = (&value[..space], trim(&value[space + 1..]));
        let expected = if scheme.eq_ignore_ascii_case(b"bearer") {
            self.token.as_deref()
        } else if scheme.eq_ignore_ascii_case(b"basic") {
            self.basic.as_deref()
        } else {
            None
        };
        expected.is_some_and(|expected| constant_time_eq(given, expected))
    }

    /// The secret the health endpoints are given (`HealthRegistry::set_token`), so that
    /// they show details to the callers this middleware lets through as such.
    pub(super) fn health_secret(&self) -> Option<String> {
        self.token
            .as_deref()
            .or(self.basic.as_deref())
            .map(|secret| String::from_utf8_lossy(secret).into_owned())
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| *b != b' ')
        .map_or(start, |end| end + 1);
    &bytes[start..end]
}

/// Compares `given` with `expected` in a time that depends on the length of `given`
/// only (which the caller knows anyway): every byte is compared, whatever the
/// lengths, and a length mismatch is folded in at the end.
fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    if expected.is_empty() {
        return false;
    }
    let mut equal = Choice::from(1);
    for (index, byte) in given.iter().enumerate() {
        equal &= byte.ct_eq(&expected[index % expected.len()]);
    }
    equal &= (given.len() as u64).ct_eq(&(expected.len() as u64));
    bool::from(equal)
}

/// `user:password` in base64, as an `Authorization: Basic` header carries it.
pub(super) fn basic_credentials(user: &str, password: &str) -> Arc<[u8]> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .encode(format!("{user}:{password}"))
        .into_bytes()
        .into()
}

/// The middleware: a `401` with a `WWW-Authenticate` challenge for a protected
/// route without valid credentials. For the health endpoints it also tells the
/// health module who is authorised, by giving it its secret or no header at all.
pub(super) async fn require(
    State(credentials): State<Arc<Credentials>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let health = path.starts_with("/health") || path == "/livez" || path == "/readyz";
    let public = !credentials.protect_probes && PROBE_PATHS.contains(&path);
    let accepted = credentials.accepts(
        request
            .headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes),
    );
    if !accepted && !public {
        let mut response = super::answer::short_error(StatusCode::UNAUTHORIZED, "unauthorized");
        let challenge = if credentials.token.is_some() {
            "Bearer realm=\"monitor\""
        } else {
            "Basic realm=\"monitor\""
        };
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
        return response;
    }
    if health {
        let headers = request.headers_mut();
        headers.remove(header::AUTHORIZATION);
        if let Some(secret) = accepted.then(|| credentials.health_secret()).flatten()
            && let Ok(value) = HeaderValue::from_str(&format!("Bearer {secret}"))
        {
            headers.insert(header::AUTHORIZATION, value);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(token: &str) -> Credentials {
        Credentials {
            token: Some(token.as_bytes().into()),
            ..Credentials::default()
        }
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        let credentials = token("s3cret");
        assert!(credentials.accepts(Some(b"Bearer s3cret")));
        assert!(credentials.accepts(Some(b"bearer s3cret")));
        assert!(credentials.accepts(Some(b"BEARER  s3cret ")));
        assert!(!credentials.accepts(Some(b"Bearer s3cre")));
        assert!(!credentials.accepts(Some(b"Bearer s3cret-and-more")));
        assert!(!credentials.accepts(Some(b"Bearer ")));
        assert!(!credentials.accepts(Some(b"Basic s3cret")));
        assert!(!credentials.accepts(None));
    }

    #[test]
    fn basic_credentials_are_base64() {
        assert_eq!(
            &*basic_credentials("Aladdin", "open sesame"),
            b"QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(&*basic_credentials("a", "b"), b"YTpi");
        assert_eq!(&*basic_credentials("ab", "c"), b"YWI6Yw==");
        let credentials = Credentials {
            basic: Some(basic_credentials("prometheus", "pw")),
            ..Credentials::default()
        };
        assert!(credentials.accepts(Some(b"basic cHJvbWV0aGV1czpwdw==")));
        assert!(!credentials.accepts(Some(b"Bearer cHJvbWV0aGV1czpwdw==")));
    }

    #[test]
    fn comparison_folds_the_length_in() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abcabc", b"abc"));
        assert!(!constant_time_eq(b"", b"abc"));
        assert!(!constant_time_eq(b"abc", b""));
    }
}
