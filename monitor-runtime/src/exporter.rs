//! HTTP exposition: `/metrics` in the Prometheus text format, as an axum `Router`
//! to merge into an existing server or as a ready-made server.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus::{Encoder, TextEncoder};
use tokio::net::{TcpListener, ToSocketAddrs};

/// The framework's routes as an axum [`Router`], to merge into your own server.
///
/// It serves `GET /metrics` in the Prometheus text exposition format, and the health
/// endpoints of [`health::routes`](crate::health::routes).
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
        .route("/metrics", get(metrics))
        .merge(crate::health::routes())
}

async fn metrics() -> Response {
    match render_metrics() {
        Ok(body) => ([(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], body).into_response(),
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

/// Renders every metric of the global [`registry`](crate::registry) in the Prometheus
/// text exposition format, exactly as `/metrics` serves it.
///
/// ```
/// let text = monitor_runtime::render_metrics().unwrap();
/// assert!(text.is_empty() || text.contains("# TYPE"));
/// ```
///
/// # Errors
///
/// Fails only if a collector registered by the application produces metrics the
/// encoder refuses.
pub fn render_metrics() -> Result<String, prometheus::Error> {
    let families = crate::registry().gather();
    let mut buffer = Vec::new();
    TextEncoder::new().encode(&families, &mut buffer)?;
    String::from_utf8(buffer).map_err(|error| prometheus::Error::Msg(error.to_string()))
}

/// A bound metrics server, ready to run. Bind to port 0 to get a free port, then
/// read it back with [`Exporter::local_addr`].
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
    /// # Errors
    ///
    /// [`ServeError::Bind`] if the address cannot be bound, [`ServeError::Init`] if
    /// registration found clashes.
    pub async fn bind(addr: impl ToSocketAddrs) -> Result<Self, ServeError> {
        crate::init().map_err(ServeError::Init)?;
        let listener = TcpListener::bind(addr).await.map_err(ServeError::Bind)?;
        let local_addr = listener.local_addr().map_err(ServeError::Bind)?;
        Ok(Self {
            listener,
            local_addr,
            router: router(),
        })
    }

    /// The address actually bound (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves additional routes next to the framework's own.
    pub fn merge(mut self, routes: Router) -> Self {
        self.router = self.router.merge(routes);
        self
    }

    /// Serves until the process ends.
    ///
    /// # Errors
    ///
    /// [`ServeError::Serve`] if the server fails.
    pub async fn run(self) -> Result<(), ServeError> {
        self.run_until(std::future::pending()).await
    }

    /// Serves until `shutdown` completes, then finishes the requests in progress.
    ///
    /// # Errors
    ///
    /// [`ServeError::Serve`] if the server fails.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        tracing::info!(addr = %self.local_addr, "monitor: serving /metrics");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(ServeError::Serve)
    }
}

/// Serves the framework's routes (`/metrics`) on `addr` until the process ends.
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

/// Why the exporter could not start or stopped.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// Registration of annotated items found problems.
    Init(crate::InitError),
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
