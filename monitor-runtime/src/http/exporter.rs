//! `/metrics` in the Prometheus text format, the built-in `/dashboard` and the health
//! endpoints, as an axum `Router` to merge into an existing server or as a
//! ready-made server ([`serve`], [`Exporter`]).

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{Route, get};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio_rustls::TlsAcceptor;
use tower::{Layer, Service};
use tower_http::compression::CompressionLayer;

use super::answer::{clip, short_error};
use super::auth::{self, Credentials};
use super::server::{self, Limits};
use super::{dashboard, render, tls};
use crate::core::{Format, InitError, init};

/// The framework's routes as an axum [`Router`], to merge into your own server, for
/// an application with state `S` or without (`()`). Needs the `http` feature.
///
/// It serves `GET /metrics` (in the format the scraper asks for, see [`Format`]),
/// `GET /dashboard` (every `#[monitored]` function, route and business metric with
/// its rates, errors and latency), the health endpoints (see [`health`](crate::health))
/// and the alerts (see [`alerts`](crate::alerts)). Another method on these paths gets
/// `405 Method Not Allowed` with an `Allow` header. The router has no fallback, so
/// that it merges into a router that has one, and its links are relative, so that it
/// also works nested under a prefix.
///
/// ```
/// use axum::{Router, extract::State, routing::get};
///
/// let app: Router = Router::new()
///     .route("/", get(|| async { "my service" }))
///     .merge(monitor_runtime::router());
///
/// #[derive(Clone)]
/// struct AppState { greeting: &'static str }
///
/// let with_state: Router = Router::new()
///     .route("/", get(|State(state): State<AppState>| async move { state.greeting }))
///     .nest("/ops", monitor_runtime::router())
///     .with_state(AppState { greeting: "hello" });
/// # let _ = (app, with_state);
/// ```
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    routes()
        .layer(axum::middleware::from_fn(hygiene))
        .with_state(())
}

/// The routes without the response hygiene, which the exporter adds over its
/// fallback too.
fn routes() -> Router {
    // The exporter's own series exist at zero from the first scrape.
    render::renders();
    super::server::rejected();
    problems::register();
    Router::new()
        .route(METRICS_PATH, get(metrics))
        .merge(dashboard::routes())
        .merge(crate::health::routes())
        .merge(super::alerts::routes())
}

const METRICS_PATH: &str = "/metrics";

/// The paths of [`router`], read from the tables its parts build their routes from,
/// so that a route added there is in this list too.
pub(super) fn monitoring_paths() -> Vec<&'static str> {
    let mut paths = vec![METRICS_PATH];
    paths.extend(dashboard::route_table().map(|(path, _)| path));
    paths.extend(super::alerts::route_table().map(|(path, _)| path));
    paths.extend(crate::health::http::route_table().map(|(path, _)| path));
    paths
}

/// Headers every answer carries (`X-Content-Type-Options: nosniff`, and
/// `Cache-Control: no-store` unless the route set its own), and one short `405`
/// text whatever the route.
async fn hygiene(request: axum::extract::Request, next: Next) -> Response {
    let method = clip(request.method().as_str());
    let path = clip(request.uri().path());
    let mut response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = response.headers_mut().remove(header::ALLOW);
        response = short_error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!("{path} serves GET and HEAD, not {method}"),
        );
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// What the standalone server answers where no route matches: `/` leads to the
/// dashboard, anything else is a short `404` naming the routes.
async fn fallback(method: Method, uri: Uri) -> Response {
    if uri.path() == "/" && (method == Method::GET || method == Method::HEAD) {
        return Redirect::to("/dashboard").into_response();
    }
    let mut routes = String::from("GET /dashboard");
    for (path, _) in dashboard::DASHBOARD_LINKS {
        routes.push_str(", GET ");
        routes.push_str(path);
    }
    short_error(
        StatusCode::NOT_FOUND,
        &format!(
            "{} {}\nthis server serves {routes}",
            clip(method.as_str()),
            clip(uri.path())
        ),
    )
}

/// `GET /metrics`: the rendering concurrent scrapes of one format share, in the
/// format `?format=` names (`text`, `openmetrics`, `protobuf`), else the one the
/// `Accept` header asks for (see [`Format::negotiate`]).
async fn metrics(headers: HeaderMap, uri: Uri) -> Response {
    let forced = uri.query().and_then(|query| {
        form_urlencoded_pairs(query)
            .find(|(key, _)| key == "format")
            .and_then(|(_, value)| Format::from_name(&value))
    });
    let format = forced.unwrap_or_else(|| {
        Format::negotiate(
            headers
                .get(header::ACCEPT)
                .and_then(|accept| accept.to_str().ok()),
        )
    });
    let rendered = render::shared_rendering(format).await;
    match &*rendered {
        Ok(body) => (
            [(header::CONTENT_TYPE, format.content_type())],
            body.clone(),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "monitor: could not encode metrics");
            short_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not encode metrics",
            )
        }
    }
}

/// The `key=value` pairs of a query string.
fn form_urlencoded_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .into_iter()
}

/// `monitor_registration_problems`: the number of problems [`init`] reports, read
/// at each scrape.
mod problems {
    use std::sync::LazyLock;

    use crate::core::model::{Family, Kind, Labels, Value};
    use crate::core::{Claim, Source, SourceLocation};

    const NAME: &str = "monitor_registration_problems";
    const HELP: &str = "Registration problems found at start-up (clashes, incompatible declarations); \
                        the items involved run, some of their series are left out.";

    struct Problems;

    impl Source for Problems {
        fn collect(&self, out: &mut Vec<Family>) {
            let count = crate::core::init()
                .err()
                .map_or(0, |error| error.errors().len());
            let mut family = Family::new(NAME, HELP, Kind::Gauge);
            family.push(Labels::empty(), Value::Gauge(count as f64));
            out.push(family);
        }
    }

    pub(super) fn register() {
        static REGISTERED: LazyLock<()> = LazyLock::new(|| {
            static PROBLEMS: Problems = Problems;
            super::super::own::add_own(
                &PROBLEMS,
                Claim::new(NAME, Kind::Gauge, HELP),
                SourceLocation::of(std::panic::Location::caller()),
            );
        });
        // Start-up first, outside the initialiser: `registry()` may log problems.
        crate::core::registry();
        LazyLock::force(&REGISTERED);
    }
}

/// A layer the application adds with [`Exporter::layer`], applied when serving.
type AddLayer = Box<dyn FnOnce(Router) -> Router + Send>;

/// A bound metrics server, ready to run. Bind to port 0 to get a free port, then
/// read it back with [`Exporter::local_addr`]. Needs the `http` feature.
///
/// It serves [`router`]'s routes, redirects `GET /` to `/dashboard`, and answers
/// every other path with a short `404`. Malformed requests are answered `400` by
/// the HTTP layer; nothing a client sends can stop the server. Registration
/// problems do not stop it either (see [`Exporter::strict`]): they are logged, counted
/// in `monitor_registration_problems` and listed on the dashboard.
///
/// # Defences and their defaults
///
/// | setting | default | what happens past it |
/// |---|---|---|
/// | [`header_read_timeout`](Self::header_read_timeout) | 10 s | a client that has not sent its whole request head is disconnected (also bounds the TLS handshake) |
/// | [`idle_timeout`](Self::idle_timeout) | 60 s | a keep-alive connection with no request in progress is closed |
/// | [`request_timeout`](Self::request_timeout) | 30 s | the request is answered `503` |
/// | [`max_connections`](Self::max_connections) | 1024 | further connections are closed as soon as they are accepted, and counted in `monitor_exporter_rejected_connections_total` |
/// | [`max_header_bytes`](Self::max_header_bytes) | 64 KiB | the request head is refused (`431`) |
/// | [`drain_delay`](Self::drain_delay) | 0 | see [`run`](Self::run) |
/// | [`shutdown_timeout`](Self::shutdown_timeout) | 10 s | see [`run`](Self::run) |
///
/// A connection holds at most `max_header_bytes` of request head, so a flood of
/// connections holding unfinished heads takes at most about
/// `max_connections × (max_header_bytes + 16 KiB)`: about 80 MiB with the defaults.
/// It is given back when they are gone: on Linux with glibc, once the connections
/// of a flood (64 or more) have closed, the exporter asks the allocator to return
/// its free memory to the system (`malloc_trim`).
///
/// Every answer carries `X-Content-Type-Options: nosniff` and `Cache-Control:
/// no-store`, the dashboard a content security policy; answers are gzip-compressed
/// when the client accepts it (Prometheus does). `/metrics` is rendered on the
/// blocking pool, once for all the scrapes that arrive while it renders (counted in
/// `monitor_exposition_renders_total`).
///
/// # Authentication
///
/// With a bearer [`token`](Self::token) or [`basic_auth`](Self::basic_auth)
/// credentials, `/metrics`, `/dashboard`, `/health`, `/health/{name}` and every
/// other path need them (`401` otherwise); the scheme is case-insensitive and the
/// comparison takes constant time. The token defaults to the `MONITOR_TOKEN`
/// environment variable. (`MONITOR_HEALTH_TOKEN` alone keeps its earlier meaning:
/// it hides health reasons and details and protects no route.) The
/// probe statuses (`/livez`, `/readyz`, `/health/live`, `/health/ready`,
/// `/health/startup`) stay public so Kubernetes probes work, without reasons or
/// details unless the caller is authenticated; [`protect_probes`](Self::protect_probes)
/// protects them too. When it runs, the exporter hands its credentials to the health
/// endpoints ([`HealthRegistry::set_token`](crate::health::HealthRegistry::set_token)), so that the one setting
/// decides who sees health details. A request that outlives
/// [`request_timeout`](Self::request_timeout) is timed until its answer starts.
///
/// ```no_run
/// # async fn demo() -> Result<(), monitor_runtime::ServeError> {
/// use std::time::Duration;
///
/// let exporter = monitor_runtime::Exporter::bind("0.0.0.0:9898")
///     .await?
///     .token("a long random secret")
///     .tls("/etc/monitor/cert.pem", "/etc/monitor/key.pem")?
///     .header_read_timeout(Duration::from_secs(5))
///     .max_connections(256);
/// println!("metrics on https://{}/metrics", exporter.local_addr());
/// exporter.run(async { tokio::signal::ctrl_c().await.ok(); }).await?;
/// # Ok(()) }
/// ```
pub struct Exporter {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: Router,
    limits: Limits,
    credentials: Credentials,
    tls: Option<TlsAcceptor>,
    layers: Vec<AddLayer>,
    strict: bool,
}

impl Exporter {
    /// Binds the exporter to `addr` and registers every annotated item (see
    /// [`init`](crate::init)). Registration problems do not stop it (see
    /// [`Exporter::strict`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0").await?;
    /// assert!(exporter.local_addr().ip().is_loopback());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ServeError::Bind`] if the address cannot be bound.
    pub async fn bind(addr: impl ToSocketAddrs) -> Result<Self, ServeError> {
        if let Err(error) = init() {
            // Each problem was logged when it was found.
            tracing::warn!(
                problems = error.errors().len(),
                "monitor: serving despite registration problems"
            );
        }
        let listener = TcpListener::bind(addr).await.map_err(ServeError::Bind)?;
        let local_addr = listener.local_addr().map_err(ServeError::Bind)?;
        Ok(Self {
            listener,
            local_addr,
            router: routes().fallback(fallback),
            limits: Limits::default(),
            credentials: Credentials::from_env(),
            tls: None,
            layers: Vec::new(),
            strict: false,
        })
    }

    /// The address actually bound (useful after binding port 0).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0").await?;
    /// assert_ne!(exporter.local_addr().port(), 0);
    /// # Ok(()) }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves additional routes next to the framework's own.
    ///
    /// `routes` must not have a fallback of its own (the exporter's `404` is the
    /// fallback) nor repeat the framework's paths: axum panics on both when merging.
    /// They are behind the same authentication as `/metrics`.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .merge(Router::new().route("/version", get(|| async { "1.0.0" })));
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn merge(mut self, routes: Router) -> Self {
        self.router = self.router.merge(routes);
        self
    }

    /// Wraps every route in a tower layer of your own (logging, another
    /// authentication, ...). Layers added later wrap those added earlier; all of
    /// them wrap the exporter's own authentication, so they see every request.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .layer(axum::middleware::map_request(|request: axum::extract::Request| async move {
    ///         tracing::debug!(path = request.uri().path(), "monitor request");
    ///         request
    ///     }));
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<Route> + Clone + Send + Sync + 'static,
        L::Service: Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as Service<axum::extract::Request>>::Response: IntoResponse + 'static,
        <L::Service as Service<axum::extract::Request>>::Error: Into<Infallible> + 'static,
        <L::Service as Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.layers
            .push(Box::new(move |router: Router| router.layer(layer)));
        self
    }

    /// Requires `Authorization: Bearer <token>` (see "Authentication" above). An
    /// empty token leaves the bearer scheme off.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0").await?.token("s3cret");
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.credentials.token = (!token.is_empty()).then(|| token.into_bytes().into());
        self
    }

    /// Accepts HTTP basic authentication with this user and password (Prometheus's
    /// `basic_auth`), alone or next to a [`token`](Self::token).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .basic_auth("prometheus", "s3cret");
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.credentials.basic = Some(auth::basic_credentials(user, password));
        self
    }

    /// Whether the probe statuses (`/livez`, `/readyz`, `/health/live`,
    /// `/health/ready`, `/health/startup`) need credentials too; `false` by default,
    /// so that Kubernetes probes work.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .token("s3cret")
    ///     .protect_probes(true);
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn protect_probes(mut self, protect: bool) -> Self {
        self.credentials.protect_probes = protect;
        self
    }

    /// Serves HTTPS with the certificate chain and private key of these PEM files
    /// (rustls; HTTP/2 and HTTP/1.1 by ALPN).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:9898")
    ///     .await?
    ///     .tls("cert.pem", "key.pem")?;
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ServeError::Tls`] if a file cannot be read or holds no usable certificate
    /// or key.
    pub fn tls(
        mut self,
        cert: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self, ServeError> {
        self.tls = Some(tls::acceptor(cert.as_ref(), key.as_ref()).map_err(ServeError::Tls)?);
        Ok(self)
    }

    /// Refuses to serve when registration found problems: [`run`](Self::run)
    /// and [`run`](Self::run) then return [`ServeError::Init`]. Off by default,
    /// because monitoring should not take a service down: without it the problems
    /// are logged, counted in `monitor_registration_problems` and shown on the
    /// dashboard, and everything else is served.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0").await?.strict(true);
    /// exporter.run(async {}).await?; // no problems in this program
    /// # Ok(()) }
    /// ```
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Links the trace ids the dashboard shows (next to each p99, the trace of a
    /// call that explains it) to a trace UI: `template` is an `http` or `https`
    /// address in which `{trace_id}` stands for the trace id, 32 hex digits, such as
    /// Jaeger's `http://localhost:16686/trace/{trace_id}` or a Grafana Tempo explore
    /// link. The links open in a new tab, with `rel="noopener noreferrer"`.
    ///
    /// Without it the address is read from the `MONITOR_TRACE_UI` environment
    /// variable, as for [`router`] and [`serve`]; an empty `template` turns the links
    /// off whatever the variable says. Another scheme (`javascript:`, `data:`...), an
    /// address without host or without `{trace_id}`, or one with spaces or control
    /// characters is refused: the error is logged and the ids are shown without
    /// links. The trace ids are served to whoever may read the dashboard.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .trace_ui("http://localhost:16686/trace/{trace_id}");
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn trace_ui(self, template: &str) -> Self {
        let trace_ui = dashboard::TraceUi::configured(template, "Exporter::trace_ui");
        self.layer(axum::Extension(trace_ui))
    }

    /// How long a client may take to send a request head (default 10 s).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// use std::time::Duration;
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .header_read_timeout(Duration::from_secs(5))
    ///     .idle_timeout(Duration::from_secs(30))
    ///     .request_timeout(Duration::from_secs(10));
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a keep-alive connection may stay without a request (default 60 s).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// How long one request may take to be answered (default 30 s); past it the
    /// answer is `503`.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    /// How many connections may be open at once (default 1024); further ones are
    /// closed as soon as they are accepted.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .max_connections(64)
    ///     .max_header_bytes(16 * 1024);
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max.max(1);
        self
    }

    /// How large a request head may be (default 64 KiB, at least 8 KiB).
    pub fn max_header_bytes(mut self, max: usize) -> Self {
        self.limits.max_header_bytes = max.max(8192);
        self
    }

    /// How long the server keeps answering after readiness turned unhealthy, before
    /// its listener closes (default 0), so that load balancers notice.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// use std::time::Duration;
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
    ///     .await?
    ///     .drain_delay(Duration::from_secs(5))
    ///     .shutdown_timeout(Duration::from_secs(3));
    /// # let _ = exporter;
    /// # Ok(()) }
    /// ```
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.limits.drain_delay = delay;
        self
    }

    /// How long requests in progress may take to finish once the listener has
    /// closed (default 10 s); connections still open then are closed.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.limits.shutdown_timeout = timeout;
        self
    }

    /// Serves until `shutdown` completes, then shuts down gracefully: readiness
    /// turns unhealthy ([`health::set_ready(false)`](crate::health::set_ready)), the
    /// server keeps answering for the [`drain_delay`](Self::drain_delay), the
    /// listener closes, requests in progress get the
    /// [`shutdown_timeout`](Self::shutdown_timeout), and the connections left are
    /// closed. It returns within `drain_delay + shutdown_timeout` of `shutdown`,
    /// whatever clients do.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0").await?;
    /// // Stops at once: the shutdown signal is already complete.
    /// exporter.run(async {}).await?;
    /// # monitor_runtime::health::set_ready(true);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ServeError::Init`] in [`strict`](Self::strict) mode when registration
    /// found problems; [`ServeError::Serve`] if the server fails.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        if self.strict {
            init().map_err(ServeError::Init)?;
        }
        let mut app = self.router;
        if self.credentials.is_set() {
            // The health endpoints show details to whom this exporter authenticates.
            crate::health::HealthRegistry::global().set_token(self.credentials.health_secret());
            app = app.layer(axum::middleware::from_fn_with_state(
                Arc::new(self.credentials),
                auth::require,
            ));
        }
        app = app
            .layer(axum::middleware::from_fn(hygiene))
            .layer(CompressionLayer::new());
        for add in self.layers {
            app = add(app);
        }
        tracing::info!(
            addr = %self.local_addr,
            tls = self.tls.is_some(),
            "monitor: serving /metrics and /dashboard"
        );
        server::serve(self.listener, app, self.limits, self.tls, shutdown)
            .await
            .map_err(ServeError::Serve)
    }
}

/// Serves the framework's routes (`/metrics`, `/dashboard`, the health endpoints)
/// on `addr` until Ctrl-C or (on Unix) SIGTERM, then stops gracefully, as
/// [`Exporter::run`] does. [`Exporter`] gives the bound port, authentication, TLS,
/// limits and another shutdown signal. Needs the `http` feature.
///
/// Bind to `127.0.0.1` unless the metrics must be reachable from other hosts.
///
/// ```no_run
/// #[tokio::main]
/// async fn main() -> Result<(), monitor_runtime::ServeError> {
///     monitor_runtime::serve("127.0.0.1:9898").await
/// }
/// ```
///
/// # Errors
///
/// As [`Exporter::bind`] and [`Exporter::run`].
pub async fn serve(addr: impl ToSocketAddrs) -> Result<(), ServeError> {
    Exporter::bind(addr).await?.run(stop_signal()).await
}

/// Ctrl-C, or SIGTERM on Unix (what Kubernetes sends before it stops a pod).
async fn stop_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Why the exporter could not start or stopped. Needs the `http` feature.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let taken = monitor_runtime::Exporter::bind("127.0.0.1:0").await.unwrap();
/// let error = monitor_runtime::Exporter::bind(taken.local_addr()).await.err().unwrap();
/// assert!(matches!(error, monitor_runtime::ServeError::Bind(_)));
/// assert!(error.to_string().contains("could not bind"));
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// Registration of annotated items found problems, in [`Exporter::strict`] mode.
    Init(InitError),
    /// The TLS certificate or key could not be loaded.
    Tls(io::Error),
    /// The address could not be bound.
    Bind(io::Error),
    /// The server failed while running.
    Serve(io::Error),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Init(error) => write!(f, "monitor: {error}"),
            ServeError::Bind(error) => write!(f, "monitor: could not bind the exporter: {error}"),
            ServeError::Tls(error) => write!(f, "monitor: could not load the TLS files: {error}"),
            ServeError::Serve(error) => write!(f, "monitor: the exporter failed: {error}"),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Init(error) => Some(error),
            ServeError::Bind(error) | ServeError::Tls(error) | ServeError::Serve(error) => {
                Some(error)
            }
        }
    }
}
