//! The exporter's server loop: hyper-util's automatic HTTP/1 and HTTP/2 builder with
//! a timer (header-read timeout), an idle timeout and a whole-request timeout per
//! connection, a cap on open connections, optional TLS, and a graceful shutdown
//! with a deadline.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use futures_util::future::BoxFuture;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::core::ignore_poison;

/// How the server treats connections; the defaults are documented on
/// [`Exporter`](super::Exporter).
#[derive(Clone, Debug)]
pub(super) struct Limits {
    pub(super) header_read_timeout: Duration,
    pub(super) idle_timeout: Duration,
    pub(super) request_timeout: Duration,
    pub(super) max_connections: usize,
    pub(super) max_header_bytes: usize,
    pub(super) drain_delay: Duration,
    pub(super) shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_header_bytes: 64 * 1024,
            drain_delay: Duration::ZERO,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// Whether a connection is busy, and since when it is not.
struct Activity {
    in_flight: AtomicUsize,
    last: Mutex<Instant>,
    /// Whether a whole request head has arrived yet.
    started: AtomicBool,
}

impl Activity {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            in_flight: AtomicUsize::new(0),
            last: Mutex::new(Instant::now()),
            started: AtomicBool::new(false),
        })
    }

    fn begin(self: &Arc<Self>) -> ActivityGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.started.store(true, Ordering::SeqCst);
        ActivityGuard(self.clone())
    }

    /// When the connection will have been idle for `idle`, if nothing happens.
    fn idle_deadline(&self, idle: Duration) -> Instant {
        *ignore_poison(self.last.lock()) + idle
    }

    fn is_idle(&self, idle: Duration) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0 && Instant::now() >= self.idle_deadline(idle)
    }
}

/// A request in progress on a connection; its end restarts the idle clock.
struct ActivityGuard(Arc<Activity>);

impl Drop for ActivityGuard {
    fn drop(&mut self) {
        *ignore_poison(self.0.last.lock()) = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The service of one connection: the router under the whole-request timeout.
#[derive(Clone)]
struct ConnectionService {
    app: Router,
    activity: Arc<Activity>,
    request_timeout: Duration,
}

impl hyper::service::Service<Request<Incoming>> for ConnectionService {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let guard = self.activity.begin();
        let mut app = self.app.clone();
        let timeout = self.request_timeout;
        Box::pin(async move {
            let _guard = guard;
            let call = tower::Service::call(&mut app, request.map(Body::new));
            match tokio::time::timeout(timeout, call).await {
                Ok(response) => response,
                Err(_) => Ok(super::answer::short_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "request timed out",
                )),
            }
        })
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then: readiness turns
/// unhealthy, the listener keeps accepting for `drain_delay`, closes, requests in
/// progress get `shutdown_timeout`, and the connections left are closed.
pub(super) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // A client that sends its request and closes its side still gets the answer.
        .half_close(true)
        .max_buf_size(limits.max_header_bytes.max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .keep_alive_interval(limits.idle_timeout)
        .keep_alive_timeout(limits.header_read_timeout);
    let server = Server {
        builder: Arc::new(builder),
        app,
        limits: limits.clone(),
        tls,
        permits: Arc::new(Semaphore::new(limits.max_connections)),
        graceful: GracefulShutdown::new(),
        close: watch::channel(false).0,
        open: Arc::default(),
    };

    server.accept_until(&listener, shutdown).await;
    // Load balancers see readiness fail while the listener still answers.
    crate::health::set_ready(false);
    tracing::info!("monitor: shutting down; readiness reports unhealthy");
    if !limits.drain_delay.is_zero() {
        server
            .accept_until(&listener, tokio::time::sleep(limits.drain_delay))
            .await;
    }
    drop(listener);
    let Server {
        graceful, close, ..
    } = server;
    if tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("monitor: connections still open at the shutdown deadline are closed");
    }
    // Whatever is left (connections past the deadline, TLS handshakes under way)
    // closes now.
    close.send_replace(true);
    Ok(())
}

struct Server {
    builder: Arc<auto::Builder<TokioExecutor>>,
    app: Router,
    limits: Limits,
    tls: Option<TlsAcceptor>,
    permits: Arc<Semaphore>,
    graceful: GracefulShutdown,
    /// Set at the shutdown deadline: every connection left closes at once.
    close: watch::Sender<bool>,
    open: Arc<OpenConnections>,
}

/// The high-water mark of open connections, to give memory back after a flood.
#[derive(Default)]
struct OpenConnections {
    high_water: AtomicUsize,
}

/// Floods smaller than this are not worth a trim.
const FLOOD: usize = 64;

impl OpenConnections {
    fn enter(self: &Arc<Self>, permits: &Arc<Semaphore>, max: usize) -> OpenGuard {
        let open = max - permits.available_permits();
        self.high_water.fetch_max(open, Ordering::SeqCst);
        OpenGuard {
            open: self.clone(),
            permits: permits.clone(),
            max,
        }
    }
}

/// One open connection; when the last connections of a flood close, the memory
/// their buffers took is handed back to the system.
struct OpenGuard {
    open: Arc<OpenConnections>,
    permits: Arc<Semaphore>,
    max: usize,
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        // This connection's permit is still held: it counts as open.
        let open = (self.max - self.permits.available_permits()).saturating_sub(1);
        let high_water = self.open.high_water.load(Ordering::SeqCst);
        if high_water >= FLOOD
            && open <= high_water / 8
            && self
                .open
                .high_water
                .compare_exchange(high_water, open, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            tokio::task::spawn_blocking(give_memory_back);
        }
    }
}

/// glibc's allocator keeps freed memory for reuse; a flood's buffers would stay in
/// the resident set long after the flood. Other allocators give memory back on
/// their own.
fn give_memory_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free memory of the allocator's arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

impl Server {
    async fn accept_until(&self, listener: &TcpListener, stop: impl Future<Output = ()>) {
        let mut stop = pin!(stop);
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => self.start(stream),
                    Err(error) => {
                        // Out of file descriptors, most often: wait a little rather
                        // than spin, and keep serving the connections already open.
                        tracing::warn!(%error, "monitor: could not accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut stop => return,
            }
        }
    }

    fn start(&self, stream: TcpStream) {
        // Past the cap the connection is closed at once: no task, no buffer.
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            rejected().inc();
            return;
        };
        stream.set_nodelay(true).ok();
        let builder = self.builder.clone();
        let app = self.app.clone();
        let limits = self.limits.clone();
        let tls = self.tls.clone();
        let watcher = self.graceful.watcher();
        let mut close = self.close.subscribe();
        let open = self.open.clone();
        let permits = self.permits.clone();
        let max_connections = self.limits.max_connections;
        tokio::spawn(async move {
            let _open = open.enter(&permits, max_connections);
            let _permit = permit;
            let serve = async move {
                match tls {
                    None => serve_connection(&builder, stream, app, &limits, watcher).await,
                    Some(acceptor) => {
                        match tokio::time::timeout(
                            limits.header_read_timeout,
                            acceptor.accept(stream),
                        )
                        .await
                        {
                            Ok(Ok(stream)) => {
                                serve_connection(&builder, stream, app, &limits, watcher).await;
                            }
                            Ok(Err(error)) => {
                                tracing::debug!(%error, "monitor: TLS handshake failed");
                            }
                            Err(_) => tracing::debug!("monitor: TLS handshake timed out"),
                        }
                    }
                }
            };
            tokio::select! {
                () = serve => {}
                _ = close.wait_for(|close| *close) => {}
            }
        });
    }
}

/// Serves one connection until it ends, is idle for `idle_timeout`, or the
/// shutdown closes it.
async fn serve_connection<I>(
    builder: &auto::Builder<TokioExecutor>,
    io: I,
    app: Router,
    limits: &Limits,
    watcher: Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let service = ConnectionService {
        app,
        activity: activity.clone(),
        request_timeout: limits.request_timeout,
    };
    let connection = builder.serve_connection(TokioIo::new(io), service);
    let mut connection = pin!(watcher.watch(connection.into_owned()));
    // hyper times the heads of HTTP/1 requests once it knows the protocol; until the
    // first request arrives the header-read timeout is kept here, so that a client
    // that sends nothing (or a slow HTTP/2 preface) is disconnected as well.
    let first_request_by = Instant::now() + limits.header_read_timeout;
    loop {
        let started = activity.started.load(Ordering::SeqCst);
        let idle_deadline = activity.idle_deadline(limits.idle_timeout);
        let deadline = if started {
            idle_deadline
        } else {
            idle_deadline.min(first_request_by)
        };
        tokio::select! {
            result = &mut connection => {
                if let Err(error) = result {
                    tracing::debug!(%error, "monitor: connection ended with an error");
                }
                return;
            }
            () = tokio::time::sleep_until(deadline) => {
                let silent = !activity.started.load(Ordering::SeqCst)
                    && Instant::now() >= first_request_by;
                if silent || activity.is_idle(limits.idle_timeout) {
                    // Dropping the connection closes it.
                    return;
                }
            }
        }
    }
}

/// `monitor_exporter_rejected_connections_total`.
pub(super) fn rejected() -> &'static super::own::OwnCounter {
    static REJECTED: super::own::OwnCounter = super::own::OwnCounter::new(
        "monitor_exporter_rejected_connections_total",
        "Connections the exporter closed at once because it had reached its cap.",
    );
    REJECTED.exposed()
}
