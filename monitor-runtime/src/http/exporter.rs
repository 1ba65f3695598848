//! `/metrics` in the Prometheus text format, the built-in `/dashboard` and the health
//! endpoints, as an axum `Router` to merge into an existing server or as a
//! ready-made server ([`serve`], [`Exporter`]).

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get};
use tokio::net::{TcpListener, ToSocketAddrs};

use super::dashboard;
use crate::core::{InitError, METRICS_CONTENT_TYPE, init, render_metrics};

/// The address [`serve`] examples and the quickstart use: loopback only, port 9898.
/// Needs the `http` feature.
///
/// Metrics can reveal what a service does; listen on another interface only on
/// purpose.
///
/// ```no_run
/// # async fn demo() -> Result<(), monitor_runtime::ServeError> {
/// monitor_runtime::serve(monitor_runtime::DEFAULT_ADDR).await
/// # }
/// ```
pub const DEFAULT_ADDR: &str = "127.0.0.1:9898";

/// The framework's routes as an axum [`Router`], to merge into your own server.
/// Needs the `http` feature.
///
/// It serves `GET /metrics` in the Prometheus text exposition format (with
/// [`METRICS_CONTENT_TYPE`]) and `GET /dashboard`, a small HTML page listing every
/// `#[monitored]` function with its calls, errors and latency, and the health
/// endpoints of [`health::routes`](crate::health::routes). Another method on
/// these paths gets `405 Method Not Allowed` with an `Allow` header. The router has
/// no fallback, so that it merges into a router that has one.
///
/// ```
/// use axum::{Router, routing::get};
///
/// let app: Router = Router::new()
///     .route("/", get(|| async { "my service" }))
///     .merge(monitor_runtime::router());
/// # let _ = app;
/// ```
pub fn router() -> Router {
    Router::new()
        .route("/metrics", only_get(get(metrics)))
        .route("/dashboard", only_get(get(dashboard::dashboard)))
        .merge(crate::health::routes())
}

/// A clear `405` text for the other methods; axum keeps the `Allow` header.
fn only_get(route: MethodRouter) -> MethodRouter {
    route.fallback(|method: Method, uri: Uri| async move {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "405 method not allowed: {} serves GET and HEAD, not {method}\n",
                uri.path()
            ),
        )
    })
}

/// What the standalone server answers where no route matches: `/` leads to the
/// dashboard, anything else is a `404` that lists the routes.
async fn fallback(method: Method, uri: Uri) -> Response {
    if uri.path() == "/" && (method == Method::GET || method == Method::HEAD) {
        return Redirect::to("/dashboard").into_response();
    }
    let mut routes = String::from("GET /dashboard");
    for (path, _) in dashboard::DASHBOARD_LINKS {
        routes.push_str(", GET ");
        routes.push_str(path);
    }
    (
        StatusCode::NOT_FOUND,
        format!(
            "404 not found: {method} {}\nthis server serves {routes}\n",
            uri.path()
        ),
    )
        .into_response()
}

async fn metrics() -> Response {
    match render_metrics() {
        Ok(body) => ([(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)], body).into_response(),
        Err(error) => {
            tracing::error!(%error, "monitor: could not encode metrics");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("could not encode metrics: {error}\n"),
            )
                .into_response()
        }
    }
}

/// A bound metrics server, ready to run. Bind to port 0 to get a free port, then
/// read it back with [`Exporter::local_addr`]. Needs the `http` feature.
///
/// It serves [`router`]'s routes, redirects `GET /` to `/dashboard`, and answers
/// every other path with a `404` text listing the routes. Malformed requests are
/// answered `400` by the HTTP layer; nothing a client sends can stop the server.
///
/// ```no_run
/// # async fn demo() -> Result<(), monitor_runtime::ServeError> {
/// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0").await?;
/// println!("metrics on http://{}/metrics", exporter.local_addr());
/// exporter.run_until(async { tokio::signal::ctrl_c().await.ok(); }).await?;
/// # Ok(()) }
/// ```
pub struct Exporter {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: Router,
}

impl Exporter {
    /// Binds the exporter to `addr` and registers every annotated item (see
    /// [`init`](crate::init)).
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
    /// [`ServeError::Bind`] if the address cannot be bound, [`ServeError::Init`] if
    /// registration found clashes.
    pub async fn bind(addr: impl ToSocketAddrs) -> Result<Self, ServeError> {
        init().map_err(ServeError::Init)?;
        let listener = TcpListener::bind(addr).await.map_err(ServeError::Bind)?;
        let local_addr = listener.local_addr().map_err(ServeError::Bind)?;
        Ok(Self {
            listener,
            local_addr,
            router: router().fallback(fallback),
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

    /// Serves until the process ends.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), monitor_runtime::ServeError> {
    /// monitor_runtime::Exporter::bind("127.0.0.1:9898").await?.run().await
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ServeError::Serve`] if the server fails.
    pub async fn run(self) -> Result<(), ServeError> {
        self.run_until(std::future::pending()).await
    }

    /// Serves until `shutdown` completes, then finishes the requests in progress.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), monitor_runtime::ServeError> {
    /// let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0").await?;
    /// // Stops at once: the shutdown signal is already complete.
    /// exporter.run_until(async {}).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ServeError::Serve`] if the server fails.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        tracing::info!(addr = %self.local_addr, "monitor: serving /metrics and /dashboard");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Serve)
    }
}

/// Serves the framework's routes (`/metrics`, `/dashboard`) on `addr` until the
/// process ends. Use [`Exporter`] to learn the bound port or to stop gracefully.
/// Needs the `http` feature.
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
    Exporter::bind(addr).await?.run().await
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
    /// Registration of annotated items found problems.
    Init(InitError),
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
            ServeError::Serve(error) => write!(f, "monitor: the exporter failed: {error}"),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Init(error) => Some(error),
            ServeError::Bind(error) | ServeError::Serve(error) => Some(error),
        }
    }
}
