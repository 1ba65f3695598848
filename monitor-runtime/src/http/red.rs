//! RED metrics (rate, errors, duration) of a service's own HTTP routes: a tower
//! [`Layer`] in the OpenTelemetry HTTP server conventions, Prometheus form.
//!
//! The layer resolves its metric handles once per (route, method, status) and keeps
//! them; a request to a route it has seen touches atomics only. A guard that records
//! on drop holds the request's figures until its response body has ended or was
//! dropped, so a client that goes away mid-response is counted and the active gauge
//! is restored.

use std::collections::HashMap;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::body::HttpBody;
use axum::extract::MatchedPath;
use axum::http::{Method, Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;
use prometheus::{Histogram, HistogramOpts, HistogramVec, IntGauge, IntGaugeVec, Opts};
use tower::{Layer, Service};

use crate::core::{ignore_poison, registry};

/// The request-duration buckets of the OpenTelemetry HTTP semantic conventions, in
/// seconds: the default of [`HttpMetricsLayer`].
pub const DEFAULT_DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Body-size buckets, in bytes: powers of four from 64 bytes to 16 MiB.
pub const DEFAULT_SIZE_BUCKETS: &[f64] = &[
    64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0, 16777216.0,
];

/// The `http_route` of a request that matched no route: one value, whatever the
/// path, so that a flood of random paths adds no series.
pub const UNMATCHED_ROUTE: &str = "_UNMATCHED";

/// The `http_response_status_code` of a request whose client went away before the
/// response head was ready (the service's future was dropped): `499`, the "client
/// closed request" code of nginx.
pub const CLIENT_CLOSED_STATUS: u16 = 499;

/// The routes of [`crate::router`], which the layer leaves out by default.
pub const MONITORING_ROUTES: &[&str] = &[
    "/metrics",
    "/dashboard",
    "/health",
    "/health/live",
    "/health/ready",
    "/health/startup",
    "/health/{name}",
    "/livez",
    "/readyz",
];

/// The methods with a label of their own; any other folds into `_OTHER`.
const METHODS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "_OTHER",
];

fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::DELETE => 4,
        Method::CONNECT => 5,
        Method::OPTIONS => 6,
        Method::TRACE => 7,
        Method::PATCH => 8,
        _ => 9,
    }
}

/// HTTP server metrics for an axum [`Router`](axum::Router) or any tower HTTP
/// service. Needs the `http` feature.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `http_server_request_duration_seconds` | histogram | `http_request_method`, `http_route`, `http_response_status_code` |
/// | `http_server_active_requests` | gauge | `http_request_method` |
/// | `http_server_request_body_size_bytes` | histogram | `http_request_method`, `http_route` |
/// | `http_server_response_body_size_bytes` | histogram | `http_request_method`, `http_route`, `http_response_status_code` |
///
/// - `http_request_method`: `GET`, `HEAD`, `POST`, `PUT`, `DELETE`, `CONNECT`,
///   `OPTIONS`, `TRACE`, `PATCH`, or `_OTHER` for any other method.
/// - `http_route`: the route template axum matched ([`MatchedPath`], e.g.
///   `/users/{id}`), never the raw path; [`UNMATCHED_ROUTE`] when no route matched
///   (a `404` from the fallback, or a service that is not an axum router).
/// - `http_response_status_code`: the status answered (`200`, `404`…), or its class
///   (`2xx`…) with [`group_status_codes`](Self::group_status_codes);
///   [`CLIENT_CLOSED_STATUS`] when the client left before the response head.
///
/// Durations run from the request's arrival to the end of its response body (or
/// the body's drop, when the client goes away); body sizes are the bytes actually
/// streamed, not `Content-Length`. A handler that panics is answered `500` and
/// counted as such. The routes of [`crate::router`] ([`MONITORING_ROUTES`]) are left
/// out unless [`exclude_routes`](Self::exclude_routes) says otherwise.
///
/// Put it on a router with [`Router::layer`](axum::Router::layer), so that it sees
/// the matched route:
///
/// ```
/// use axum::{Router, routing::get};
/// use monitor_runtime::http::HttpMetricsLayer;
///
/// let layer = HttpMetricsLayer::new().routes([("GET", "/users/{id}")]);
/// let app: Router = Router::new()
///     .route("/users/{id}", get(|| async { "ada" }))
///     .layer(layer)
///     .merge(monitor_runtime::router());
/// # let _ = app;
/// ```
#[derive(Clone)]
pub struct HttpMetricsLayer {
    // Shared: axum may clone the layer at every request (a handler's route is built
    // per call unless the router had `with_state`), so a clone must cost no more
    // than a counter.
    options: Arc<Options>,
    shared: Arc<OnceLock<Arc<Shared>>>,
}

#[derive(Clone, PartialEq)]
struct Options {
    duration_buckets: Vec<f64>,
    size_buckets: Vec<f64>,
    group_status: bool,
    excluded: Vec<String>,
    const_labels: Vec<(String, String)>,
    routes: Vec<(Method, String)>,
}

impl Default for HttpMetricsLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpMetricsLayer {
    /// A layer with the defaults: [`DEFAULT_DURATION_BUCKETS`],
    /// [`DEFAULT_SIZE_BUCKETS`], status codes as they are, the monitoring routes
    /// left out, no constant labels.
    pub fn new() -> Self {
        Self {
            options: Arc::new(Options {
                duration_buckets: DEFAULT_DURATION_BUCKETS.to_vec(),
                size_buckets: DEFAULT_SIZE_BUCKETS.to_vec(),
                group_status: false,
                excluded: MONITORING_ROUTES.iter().map(|&r| r.to_owned()).collect(),
                const_labels: Vec::new(),
                routes: Vec::new(),
            }),
            shared: Arc::default(),
        }
    }

    fn with(mut self, change: impl FnOnce(&mut Options)) -> Self {
        change(Arc::make_mut(&mut self.options));
        self.shared = Arc::default();
        self
    }

    /// Upper bounds of the duration histogram, in seconds.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().duration_buckets([0.01, 0.1, 1.0]);
    /// # let _ = layer;
    /// ```
    pub fn duration_buckets(self, buckets: impl IntoIterator<Item = f64>) -> Self {
        let buckets = buckets.into_iter().collect();
        self.with(|o| o.duration_buckets = buckets)
    }

    /// Upper bounds of both body-size histograms, in bytes.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().size_buckets([100.0, 10_000.0]);
    /// # let _ = layer;
    /// ```
    pub fn size_buckets(self, buckets: impl IntoIterator<Item = f64>) -> Self {
        let buckets = buckets.into_iter().collect();
        self.with(|o| o.size_buckets = buckets)
    }

    /// `true`: label statuses by class (`2xx`, `4xx`…) instead of their code.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().group_status_codes(true);
    /// # let _ = layer;
    /// ```
    pub fn group_status_codes(self, group: bool) -> Self {
        self.with(|o| o.group_status = group)
    }

    /// The route templates to leave out (their requests are not measured). This
    /// replaces the default, [`MONITORING_ROUTES`]; pass an empty list to measure
    /// every route.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().exclude_routes(["/internal/{job}"]);
    /// # let _ = layer;
    /// ```
    pub fn exclude_routes<R: Into<String>>(self, routes: impl IntoIterator<Item = R>) -> Self {
        let routes = routes.into_iter().map(Into::into).collect();
        self.with(|o| o.excluded = routes)
    }

    /// A label with the same value on every series (e.g. `service="shop"`).
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().const_label("service", "shop");
    /// # let _ = layer;
    /// ```
    pub fn const_label(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let label = (name.into(), value.into());
        self.with(|o| o.const_labels.push(label))
    }

    /// The routes the service serves, as `(method, template)`: their series exist
    /// at zero before the first request (duration and response size with status
    /// `200`, or `2xx` when grouped), and so do those of [`UNMATCHED_ROUTE`].
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new()
    ///     .routes([("GET", "/orders/{id}"), ("POST", "/orders")]);
    /// # let _ = layer;
    /// ```
    pub fn routes<M: AsRef<str>, R: Into<String>>(
        self,
        routes: impl IntoIterator<Item = (M, R)>,
    ) -> Self {
        let routes = routes
            .into_iter()
            .map(|(method, route)| {
                let method = Method::from_bytes(method.as_ref().as_bytes()).unwrap_or(Method::GET);
                (method, route.into())
            })
            .collect();
        self.with(|o| o.routes = routes)
    }

    fn shared(&self) -> Arc<Shared> {
        self.shared
            .get_or_init(|| Shared::get(&self.options))
            .clone()
    }
}

impl<S> Layer<S> for HttpMetricsLayer {
    type Service = HttpMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpMetrics {
            inner,
            shared: self.shared(),
        }
    }
}

/// The families of one configuration, registered once, and the handles resolved so
/// far, by route.
struct Shared {
    options: Options,
    duration: HistogramVec,
    request_size: HistogramVec,
    response_size: HistogramVec,
    active: [IntGauge; METHODS.len()],
    /// By the address of the route's text: axum hands every request of a route the
    /// same `Arc<str>`, so a seen route is found without hashing its text. The entry
    /// keeps its own copy, compared on each hit.
    by_address: RwLock<HashMap<usize, Arc<RouteEntry>>>,
    by_name: RwLock<HashMap<Box<str>, Arc<RouteEntry>>>,
    unmatched: Arc<RouteEntry>,
}

/// Configurations in use, so that layers built alike share their families (a
/// family is registered once in the global registry).
static CONFIGURATIONS: RwLock<Vec<Arc<Shared>>> = RwLock::new(Vec::new());

impl Shared {
    fn get(options: &Options) -> Arc<Self> {
        let mut all = ignore_poison(CONFIGURATIONS.write());
        if let Some(shared) = all.iter().find(|s| s.options == *options) {
            return shared.clone();
        }
        let shared = Arc::new(Self::new(options.clone()));
        all.push(shared.clone());
        shared
    }

    fn new(options: Options) -> Self {
        let labels: HashMap<String, String> = options.const_labels.iter().cloned().collect();
        let histogram = |name: &str, help: &str, buckets: &[f64], names: &[&str]| {
            let opts = HistogramOpts::new(name, help)
                .const_labels(labels.clone())
                .buckets(buckets.to_vec());
            HistogramVec::new(opts, names)
        };
        let full = &[
            "http_request_method",
            "http_route",
            "http_response_status_code",
        ];
        let duration = histogram(
            "http_server_request_duration_seconds",
            "Duration of HTTP server requests, to the end of the response body.",
            &options.duration_buckets,
            full,
        );
        let request_size = histogram(
            "http_server_request_body_size_bytes",
            "Bytes of HTTP request bodies, as read by the service.",
            &options.size_buckets,
            &["http_request_method", "http_route"],
        );
        let response_size = histogram(
            "http_server_response_body_size_bytes",
            "Bytes of HTTP response bodies, as sent.",
            &options.size_buckets,
            full,
        );
        let active = IntGaugeVec::new(
            Opts::new(
                "http_server_active_requests",
                "HTTP server requests in progress.",
            )
            .const_labels(labels.clone()),
            &["http_request_method"],
        );
        let fallback = |name: &str| {
            // Invalid options (bad buckets) fall back to the defaults, logged.
            tracing::error!(
                metric = name,
                "invalid HTTP metric options; using the defaults"
            );
        };
        let duration = duration.unwrap_or_else(|_| {
            fallback("http_server_request_duration_seconds");
            HistogramVec::new(
                HistogramOpts::new(
                    "http_server_request_duration_seconds",
                    "Duration of HTTP server requests.",
                )
                .buckets(DEFAULT_DURATION_BUCKETS.to_vec()),
                full,
            )
            .expect("valid defaults")
        });
        let sizes = |vec: prometheus::Result<HistogramVec>, name: &str, names: &[&str]| {
            vec.unwrap_or_else(|_| {
                fallback(name);
                HistogramVec::new(
                    HistogramOpts::new(name, "Bytes of HTTP bodies.")
                        .buckets(DEFAULT_SIZE_BUCKETS.to_vec()),
                    names,
                )
                .expect("valid defaults")
            })
        };
        let request_size = sizes(
            request_size,
            "http_server_request_body_size_bytes",
            &["http_request_method", "http_route"],
        );
        let response_size = sizes(response_size, "http_server_response_body_size_bytes", full);
        let active = active.unwrap_or_else(|_| {
            fallback("http_server_active_requests");
            IntGaugeVec::new(
                Opts::new(
                    "http_server_active_requests",
                    "HTTP server requests in progress.",
                ),
                &["http_request_method"],
            )
            .expect("valid defaults")
        });
        for collector in [
            Box::new(duration.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(request_size.clone()),
            Box::new(response_size.clone()),
            Box::new(active.clone()),
        ] {
            if let Err(error) = registry().register(collector) {
                // Another configuration with other label names or help holds the
                // names: this layer still works, its series are not exposed.
                tracing::error!(%error, "HTTP server metrics not registered");
            }
        }
        let active = std::array::from_fn(|i| active.with_label_values(&[METHODS[i]]));
        let shared = Self {
            unmatched: Arc::new(RouteEntry::new(UNMATCHED_ROUTE)),
            options,
            duration,
            request_size,
            response_size,
            active,
            by_address: RwLock::default(),
            by_name: RwLock::default(),
        };
        let zero_status = if shared.options.group_status { 2 } else { 200 };
        let routes = shared.options.routes.clone();
        for (method, route) in &routes {
            let entry = shared.by_route_name(route);
            let index = method_index(method);
            entry.method(&shared, index);
            entry.status(&shared, index, zero_status);
        }
        if !routes.is_empty() {
            shared.unmatched.status(
                &shared,
                0,
                if shared.options.group_status { 4 } else { 404 },
            );
        }
        shared
    }

    fn by_route_name(&self, route: &str) -> Arc<RouteEntry> {
        if let Some(entry) = ignore_poison(self.by_name.read()).get(route) {
            return entry.clone();
        }
        ignore_poison(self.by_name.write())
            .entry(route.into())
            .or_insert_with(|| Arc::new(RouteEntry::new(route)))
            .clone()
    }

    /// The entry of a matched route: by address first (no hashing of the text).
    fn route(&self, route: &str) -> Arc<RouteEntry> {
        let address = route.as_ptr() as usize;
        if let Some(entry) = ignore_poison(self.by_address.read()).get(&address)
            && &*entry.route == route
        {
            return entry.clone();
        }
        let entry = self.by_route_name(route);
        ignore_poison(self.by_address.write()).insert(address, entry.clone());
        entry
    }

    fn excluded(&self, route: &str) -> bool {
        self.options.excluded.iter().any(|r| r == route)
    }
}

/// The handles of one route, resolved on first use.
struct RouteEntry {
    route: Box<str>,
    methods: [OnceLock<MethodEntry>; METHODS.len()],
}

struct MethodEntry {
    request_size: Histogram,
    /// Indexed by status code (`0..600`), or by class (`1..6`) when grouped.
    statuses: Box<[OnceLock<StatusEntry>]>,
}

struct StatusEntry {
    duration: Histogram,
    response_size: Histogram,
}

impl RouteEntry {
    fn new(route: &str) -> Self {
        Self {
            route: route.into(),
            methods: std::array::from_fn(|_| OnceLock::new()),
        }
    }

    fn method(&self, shared: &Shared, method: usize) -> &MethodEntry {
        self.methods[method].get_or_init(|| MethodEntry {
            request_size: shared
                .request_size
                .with_label_values(&[METHODS[method], &self.route]),
            statuses: (0..if shared.options.group_status { 6 } else { 600 })
                .map(|_| OnceLock::new())
                .collect(),
        })
    }

    /// `code` is the status code, or its class when grouped.
    fn status(&self, shared: &Shared, method: usize, code: u16) -> &StatusEntry {
        let entry = self.method(shared, method);
        let slot = usize::from(code).min(entry.statuses.len() - 1);
        entry.statuses[slot].get_or_init(|| {
            let label = if shared.options.group_status {
                format!("{code}xx")
            } else {
                code.to_string()
            };
            let values = [METHODS[method], &self.route, label.as_str()];
            StatusEntry {
                duration: shared.duration.with_label_values(&values),
                response_size: shared.response_size.with_label_values(&values),
            }
        })
    }
}

/// The service [`HttpMetricsLayer`] wraps around another.
#[derive(Clone)]
pub struct HttpMetrics<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S, B, ResBody> Service<Request<B>> for HttpMetrics<S>
where
    S: Service<Request<RequestBody<B>>, Response = Response<ResBody>>,
    ResBody: HttpBody,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let start = Instant::now();
        let shared = &self.shared;
        let route = match request.extensions().get::<MatchedPath>() {
            Some(path) if shared.excluded(path.as_str()) => None,
            Some(path) => Some(shared.route(path.as_str())),
            None => Some(shared.unmatched.clone()),
        };
        let Some(route) = route else {
            let request = request.map(|body| RequestBody {
                inner: body,
                size: None,
                bytes: 0,
            });
            return ResponseFuture {
                inner: self.inner.call(request),
                guard: None,
            };
        };
        let method = method_index(request.method());
        let request_size = route.method(shared, method).request_size.clone();
        let request = request.map(|body| RequestBody {
            inner: body,
            size: Some(request_size),
            bytes: 0,
        });
        shared.active[method].inc();
        let guard = Guard {
            shared: shared.clone(),
            route,
            method,
            status: CLIENT_CLOSED_STATUS,
            start,
            bytes: 0,
        };
        ResponseFuture {
            inner: self.inner.call(request),
            guard: Some(guard),
        }
    }
}

/// A request's figures until its response body ends or is dropped: the drop
/// records them and restores the active gauge.
struct Guard {
    shared: Arc<Shared>,
    route: Arc<RouteEntry>,
    method: usize,
    status: u16,
    start: Instant,
    bytes: u64,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let shared = &*self.shared;
        shared.active[self.method].dec();
        let code = if shared.options.group_status {
            self.status / 100
        } else {
            self.status
        };
        let entry = self.route.status(shared, self.method, code);
        entry.duration.observe(self.start.elapsed().as_secs_f64());
        entry.response_size.observe(self.bytes as f64);
    }
}

pin_project! {
    /// The future of [`HttpMetrics`]: the inner service's response, its body
    /// measured; a panic of the inner service becomes a `500` answer.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        guard: Option<Guard>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: HttpBody,
{
    type Output = Result<Response<ResponseBody<ResBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        let polled = catch_unwind(AssertUnwindSafe(|| inner.poll(cx)));
        let result = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(result)) => result,
            Err(_panic) => {
                let mut guard = this.guard.take();
                if let Some(guard) = &mut guard {
                    guard.status = 500;
                }
                tracing::error!("an HTTP handler panicked; answered 500");
                let mut response = Response::new(ResponseBody { inner: None, guard });
                *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                return Poll::Ready(Ok(response));
            }
        };
        let mut guard = this.guard.take();
        Poll::Ready(result.map(|response| {
            if let Some(guard) = &mut guard {
                guard.status = response.status().as_u16();
            }
            let mut body = response.map(|inner| ResponseBody {
                inner: Some(inner),
                guard,
            });
            let body_ref = body.body_mut();
            if body_ref.inner.as_ref().is_some_and(HttpBody::is_end_stream) {
                body_ref.guard = None;
            }
            body
        }))
    }
}

pin_project! {
    /// A response body measured by [`HttpMetrics`]: its bytes are counted as they
    /// are sent; the request is recorded when it ends or is dropped.
    pub struct ResponseBody<B> {
        #[pin]
        inner: Option<B>,
        guard: Option<Guard>,
    }
}

impl<B: HttpBody> HttpBody for ResponseBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let Some(inner) = this.inner.as_pin_mut() else {
            this.guard.take();
            return Poll::Ready(None);
        };
        let frame = ready!(inner.poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                if let (Some(data), Some(guard)) = (frame.data_ref(), this.guard.as_mut()) {
                    guard.bytes += bytes::Buf::remaining(data) as u64;
                }
            }
            Some(Err(_)) | None => {
                this.guard.take();
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(HttpBody::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), HttpBody::size_hint)
    }
}

pin_project! {
    /// A request body measured by [`HttpMetrics`]: the bytes the service read are
    /// recorded when it ends or is dropped.
    pub struct RequestBody<B> {
        #[pin]
        inner: B,
        size: Option<Histogram>,
        bytes: u64,
    }

    impl<B> PinnedDrop for RequestBody<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(size) = this.size.take() {
                size.observe(*this.bytes as f64);
            }
        }
    }
}

impl<B: HttpBody> HttpBody for RequestBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        if let Some(Ok(frame)) = &frame
            && let Some(data) = frame.data_ref()
        {
            *this.bytes += bytes::Buf::remaining(data) as u64;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
