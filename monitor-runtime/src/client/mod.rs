//! Outgoing HTTP calls: a tower layer for HTTP clients that records OpenTelemetry's
//! client metric in Prometheus form.
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `http_client_request_duration_seconds` | histogram | `http_request_method`, `server_address`, `http_response_status_code`, `error_type` | duration of outgoing requests, until the response head arrived or the call failed |
//! | `http_client_server_address_overflow_total` | counter | | requests whose host was folded into `server_address="_OTHER"` |
//!
//! - `http_request_method`: the method, or `_OTHER` for a non-standard one.
//! - `server_address`: the host the request went to (the URI's host, else the
//!   `Host` header), a *bounded* label: the first 100
//!   distinct hosts keep their name, later ones are folded into `_OTHER` and counted
//!   in `http_client_server_address_overflow_total`, so that calls to ever new hosts
//!   cannot grow the series without bound.
//! - `http_response_status_code`: the status code, empty when no response came.
//! - `error_type`: empty for a success; the status code for a `4xx` or `5xx`
//!   response (OpenTelemetry's rule for clients); for a failed call its kind:
//!   `connection_refused`, `connection_reset`, `connection_aborted`, `timeout`,
//!   `dns`, `connect` (another failure to connect), `_OTHER`; `cancelled` for a call
//!   whose future was dropped before it finished (see [`error_type`]).
//!
//! With hyper-util's legacy client (and tower's timeout, whose `Elapsed` counts as
//! `timeout`):
//!
//! ```no_run
//! use std::time::Duration;
//! use http_body_util::Empty;
//! use hyper::body::Bytes;
//! use hyper_util::client::legacy::Client;
//! use hyper_util::rt::TokioExecutor;
//! use monitor_runtime::client::HttpClientMetricsLayer;
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # async fn call() -> Result<(), tower::BoxError> {
//! let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
//! let mut client = ServiceBuilder::new()
//!     .layer(HttpClientMetricsLayer::new())
//!     .timeout(Duration::from_secs(2))
//!     .service(client);
//! let request = http::Request::get("http://127.0.0.1:8080/items").body(Empty::new())?;
//! let response = client.ready().await?.call(request).await?;
//! println!("{}", response.status());
//! # Ok(()) }
//! ```
//!
//! # Traces
//!
//! Each call runs in a client span, `HTTP client request` (target
//! `monitor_runtime::client`, level `INFO`, OpenTelemetry's client attributes:
//! `otel.kind` = `client`, `http.request.method`, `server.address`,
//! `http.response.status_code`, `error.type`), a child of the current trace: the
//! request the service is serving (the HTTP server layer's), the current span's
//! with [`ContextLayer`](crate::exemplars) or OpenTelemetry's, or
//! [`exemplars::enter`](crate::exemplars::enter)'s; a new trace when there is none.
//! The request carries it on as W3C Trace Context: `traceparent` names the client
//! span as the parent of the server's, and `tracestate` is the one the served
//! request brought. A request that carries a `traceparent` already keeps it.
//! Exemplars of `http_client_request_duration_seconds` carry the trace id, as the
//! server's do. [`HttpClientMetricsLayer::propagate_trace`] turns it off.
//!
//! reqwest has no tower service of its own; wrap its `Client` in one, converting
//! the request and response with reqwest's `From`/`TryFrom` impls for `http` types,
//! and give the error kind through [`ClientError`]:
//!
//! ```text
//! struct Reqwest(reqwest::Client);
//! impl tower::Service<http::Request<reqwest::Body>> for Reqwest {
//!     type Response = http::Response<reqwest::Body>;
//!     type Error = ReqwestError; // a newtype implementing ClientError
//!     type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;
//!     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> { Poll::Ready(Ok(())) }
//!     fn call(&mut self, request: http::Request<reqwest::Body>) -> Self::Future {
//!         let client = self.0.clone();
//!         Box::pin(async move {
//!             let request = reqwest::Request::try_from(request).map_err(ReqwestError)?;
//!             Ok(client.execute(request).await.map_err(ReqwestError)?.into())
//!         })
//!     }
//! }
//! impl ClientError for ReqwestError {
//!     fn error_type(&self) -> Cow<'static, str> {
//!         if self.0.is_timeout() { "timeout".into() } else { monitor_runtime::client::error_type(&self.0).into() }
//!     }
//! }
//! // then: ServiceBuilder::new().layer(HttpClientMetricsLayer::new()).service(Reqwest(client))
//! ```

mod figures;

use std::borrow::Cow;
use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::header::{HeaderName, HeaderValue};
use http::{Method, Request, Response};

use crate::core::exemplar::{self, TraceContext};
use figures::{Host, server_address};

/// The header names of W3C Trace Context.
const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");

/// The kind of failure of an outgoing call, for the `error_type` label. Implemented
/// for the errors of hyper-util's legacy client, of tower's middleware
/// ([`tower::BoxError`]) and for [`std::io::Error`]; for another error type, one
/// line: `error_type(self).into()`.
///
/// ```
/// use monitor_runtime::client::ClientError;
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// assert_eq!(refused.error_type(), "connection_refused");
/// ```
pub trait ClientError {
    /// A short, bounded name of the kind (`timeout`, `connection_refused`, ...).
    fn error_type(&self) -> Cow<'static, str>;
}

impl ClientError for tower::BoxError {
    fn error_type(&self) -> Cow<'static, str> {
        Cow::Borrowed(error_type(self.as_ref()))
    }
}

impl ClientError for hyper_util::client::legacy::Error {
    fn error_type(&self) -> Cow<'static, str> {
        Cow::Borrowed(error_type(self))
    }
}

impl ClientError for std::io::Error {
    fn error_type(&self) -> Cow<'static, str> {
        Cow::Borrowed(error_type(self))
    }
}

impl ClientError for std::convert::Infallible {
    fn error_type(&self) -> Cow<'static, str> {
        match *self {}
    }
}

/// The kind of `error`, found along its chain of sources: a timeout (tower's or
/// tokio's `Elapsed`, an I/O `TimedOut`), `connection_refused`, `connection_reset`,
/// `connection_aborted`, `dns` (a failed name resolution of hyper-util's
/// connector), `connect` (another failure to connect), else `_OTHER`.
///
/// ```
/// use monitor_runtime::client::error_type;
/// let timeout = std::io::Error::from(std::io::ErrorKind::TimedOut);
/// assert_eq!(error_type(&timeout), "timeout");
/// assert_eq!(error_type(&std::fmt::Error), "_OTHER");
/// ```
pub fn error_type(error: &(dyn StdError + 'static)) -> &'static str {
    let mut connect = false;
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<tower::timeout::error::Elapsed>() || error.is::<tokio::time::error::Elapsed>()
        {
            return "timeout";
        }
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection_refused",
                std::io::ErrorKind::ConnectionReset => return "connection_reset",
                std::io::ErrorKind::ConnectionAborted => return "connection_aborted",
                std::io::ErrorKind::TimedOut => return "timeout",
                _ => {}
            }
        }
        if let Some(legacy) = error.downcast_ref::<hyper_util::client::legacy::Error>() {
            connect |= legacy.is_connect();
        }
        // hyper-util's connector names a failed resolution so; its type is private.
        if error.to_string().starts_with("dns error") {
            return "dns";
        }
        current = error.source();
    }
    if connect { "connect" } else { "_OTHER" }
}

/// The layer: wraps an HTTP client service (`Service<http::Request<B>, Response =
/// http::Response<R>>`) so that each call is recorded. See the [module](self).
///
/// ```
/// let layer = monitor_runtime::client::HttpClientMetricsLayer::new();
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HttpClientMetricsLayer {
    propagate: bool,
}

impl Default for HttpClientMetricsLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClientMetricsLayer {
    /// The layer; the metrics are global, whichever client records them. It sends
    /// the trace on (see [Traces](self#traces)).
    pub fn new() -> Self {
        let _ = crate::core::registry();
        Self { propagate: true }
    }

    /// `false`: no client span, no `traceparent` added (to a third party that must
    /// not learn the service's trace ids, say). `true` by default.
    ///
    /// ```
    /// let layer = monitor_runtime::client::HttpClientMetricsLayer::new().propagate_trace(false);
    /// # let _ = layer;
    /// ```
    pub fn propagate_trace(mut self, propagate: bool) -> Self {
        self.propagate = propagate;
        self
    }
}

impl<S> tower::Layer<S> for HttpClientMetricsLayer {
    type Service = HttpClientMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpClientMetrics {
            inner,
            propagate: self.propagate,
        }
    }
}

/// The service [`HttpClientMetricsLayer`] builds.
///
/// ```
/// use monitor_runtime::client::{HttpClientMetrics, HttpClientMetricsLayer};
/// use tower::Layer;
///
/// #[derive(Clone)]
/// struct Client;
/// let client: HttpClientMetrics<Client> = HttpClientMetricsLayer::new().layer(Client);
/// # let _ = client;
/// ```
#[derive(Debug, Clone)]
pub struct HttpClientMetrics<S> {
    inner: S,
    propagate: bool,
}

impl<S, B, R> tower::Service<Request<B>> for HttpClientMetrics<S>
where
    S: tower::Service<Request<B>, Response = Response<R>>,
    S::Error: ClientError,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let host = request.uri().host().map(str::to_owned).or_else(|| {
            request
                .headers()
                .get(http::header::HOST)
                .and_then(|value| value.to_str().ok())
                .map(|host| {
                    host.rsplit_once(':')
                        .map_or(host, |(host, _)| host)
                        .to_owned()
                })
        });
        let started = Instant::now();
        let method = method_label(request.method());
        let host = server_address(host.as_deref().unwrap_or(""));
        let mut trace = self
            .propagate
            .then(|| ClientTrace::start(&mut request, method, host.name()));
        let inner = match &mut trace {
            Some(trace) => {
                let _span = trace.span.enter();
                let _context = exemplar::enter(trace.context);
                self.inner.call(request)
            }
            None => self.inner.call(request),
        };
        ResponseFuture {
            inner,
            call: Call {
                method,
                host,
                started,
                recorded: false,
                trace,
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`HttpClientMetrics`]: records the call when it
    /// finishes, or as `cancelled` when dropped before.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use monitor_runtime::client::{HttpClientMetricsLayer, ResponseFuture};
    /// use tower::{Layer, Service, service_fn};
    ///
    /// let mut client = HttpClientMetricsLayer::new().layer(service_fn(|_: hyper::Request<()>| async {
    ///     Ok::<_, Infallible>(hyper::Response::new(()))
    /// }));
    /// let request = hyper::Request::get("http://shop.internal/orders").body(()).unwrap();
    /// let future: ResponseFuture<_> = client.call(request);
    /// # let _ = future;
    /// ```
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        call: Call,
    }
}

impl<F, R, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<R>, E>>,
    E: ClientError,
{
    type Output = Result<Response<R>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        let output = match &this.call.trace {
            Some(trace) => {
                let _span = trace.span.enter();
                let _context = exemplar::enter(trace.context);
                std::task::ready!(inner.poll(cx))
            }
            None => std::task::ready!(inner.poll(cx)),
        };
        match &output {
            // A 4xx or 5xx answer is an error of that status (`figures`).
            Ok(response) => this.call.record(Some(response.status().as_u16()), ""),
            Err(error) => this.call.record(None, &error.error_type()),
        }
        Poll::Ready(output)
    }
}

struct Call {
    method: &'static str,
    host: &'static Host,
    started: Instant,
    recorded: bool,
    trace: Option<ClientTrace>,
}

impl Call {
    /// Records the call: answered `status`, or failed with `error_type`.
    fn record(&mut self, status: Option<u16>, error_type: &str) {
        self.recorded = true;
        let nanos = u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let context = match &self.trace {
            Some(trace) => {
                trace.end(status, error_type);
                Some(trace.context)
            }
            None => exemplar::current_raw(),
        };
        let context = context.filter(TraceContext::sampled);
        self.host
            .record(self.method, status, error_type, nanos, context);
    }
}

/// The trace of one outgoing call: its client span, a child of the current
/// context, whose ids the request carries on.
struct ClientTrace {
    context: TraceContext,
    span: tracing::Span,
}

impl ClientTrace {
    /// Opens the client span and writes its `traceparent` (and the `tracestate` of
    /// the request being served) into `request`, unless it carries one already.
    fn start<B>(request: &mut Request<B>, method: &'static str, host: &str) -> Self {
        let span = if exemplar::spans_enabled(tracing::Level::INFO) {
            tracing::info_span!(
                target: "monitor_runtime::client",
                "HTTP client request",
                otel.name = method,
                otel.kind = "client",
                otel.status_code = tracing::field::Empty,
                http.request.method = method,
                server.address = host,
                http.response.status_code = tracing::field::Empty,
                "error.type" = tracing::field::Empty,
                trace_id = tracing::field::Empty,
                span_id = tracing::field::Empty,
            )
        } else {
            tracing::Span::none()
        };
        let context =
            exemplar::current_raw().map_or_else(TraceContext::random, |parent| parent.child());
        let state = exemplar::current_tracestate();
        // With OpenTelemetry installed, its span (a child of the current one) names
        // the ids, which the layers after it read from OpenTelemetry.
        let (context, state) = exemplar::span_ids::settle(&span, None, context, state);
        let headers = request.headers_mut();
        if !headers.contains_key(TRACEPARENT)
            && let Ok(parent) = HeaderValue::from_str(&context.traceparent())
        {
            headers.insert(TRACEPARENT, parent);
            if let Some(state) = state.and_then(|state| HeaderValue::from_str(&state).ok()) {
                headers.insert(TRACESTATE, state);
            }
        }
        Self { context, span }
    }

    /// Records how the call ended on its span.
    fn end(&self, status: Option<u16>, error_type: &str) {
        if self.span.is_disabled() {
            return;
        }
        if let Some(status) = status {
            self.span.record("http.response.status_code", status);
        }
        if status.is_none_or(|status| status >= 400) {
            self.span.record("otel.status_code", "ERROR");
            let kind = if error_type.is_empty() {
                status.map(|status| status.to_string()).unwrap_or_default()
            } else {
                error_type.to_owned()
            };
            self.span.record("error.type", kind);
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if !self.recorded {
            self.record(None, "cancelled");
        }
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "_OTHER",
    }
}
