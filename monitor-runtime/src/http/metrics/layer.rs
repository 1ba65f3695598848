//! [`HttpMetricsLayer`]: the layer and how it is configured.

use std::sync::{Arc, OnceLock};

use axum::http::Method;
use tower::Layer;

use super::options::{DEFAULT_DURATION_BUCKETS, DEFAULT_SIZE_BUCKETS, Options};
use super::routes::monitoring_routes;
use super::service::HttpMetrics;
use super::shared::Shared;
use super::trace::TraceSettings;
use crate::core::native::NATIVE_OFF;

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
///   `/users/{id}`), never the raw path. A request that carries no matched route
///   (the layer sits around the router, or the router's fallback answered) is named
///   by the template among those given to [`routes`](Self::routes) and
///   [`exclude_routes`](Self::exclude_routes) that its path matches, as axum would
///   match it; [`UNMATCHED_ROUTE`] when none does.
/// - `http_response_status_code`: the status answered (`200`, `404`…), or its class
///   (`2xx`…) with [`group_status_codes`](Self::group_status_codes);
///   `499` (nginx's code for it) when the client left before the response head.
///
/// Durations run from the request's arrival to the end of its response body (or
/// the body's drop, when the client goes away); body sizes are the bytes actually
/// streamed, not `Content-Length`. A handler that panics is answered `500` and
/// counted as such. The routes of [`crate::router`] (`/metrics`, the dashboard's,
/// the health and the alert routes) are left out unless [`exclude_routes`](Self::exclude_routes) says otherwise.
///
/// The service it wraps receives `Request<axum::body::Body>`, whatever body type
/// came in (axum's handlers take that type anyway; a hyper or tonic service takes
/// any body), and its response body is wrapped to be measured.
///
/// # Traces
///
/// Each measured request runs in a trace, as W3C Trace Context says: the one its
/// `traceparent` header names (with its `tracestate`); else the one the calling
/// thread runs in (a router called in process from traced code); else a new one
/// (random ids, sampled), as for a request whose header the specification calls
/// invalid (version
/// `ff`, all-zero ids, upper-case or bad digits, wrong lengths; counted in
/// `monitor_trace_context_invalid_total{reason}`, and the request served as any
/// other). [`trust_incoming_trace(false)`](Self::trust_incoming_trace) starts a new
/// trace for every request (a public edge); [`trace(false)`](Self::trace) turns
/// traces off.
///
/// The request gets a server span, `HTTP request` (target `monitor_runtime::http`,
/// level `INFO`), with OpenTelemetry's HTTP server attributes: `otel.name` =
/// `{method} {route}`, `otel.kind` = `server`, `http.request.method`, `http.route`,
/// `url.path`, `network.protocol.version`, `http.response.status_code` (and
/// `otel.status_code` = `ERROR` for a `5xx`), and its ids as `trace_id` and
/// `span_id`. The handler runs inside it: its spans (`#[monitored]` ones
/// included) are children, its logs carry the ids
/// ([`logs`](crate::logs)), the client layer sends the trace on
/// ([`client`](crate::client)), and exemplars of the request's duration and of
/// the calls it makes carry its trace id ([`exemplars`](crate::exemplars)). With
/// `tracing-opentelemetry` installed and the feature `opentelemetry`, the span's
/// parent is the incoming context in OpenTelemetry's terms and every id is
/// OpenTelemetry's; without it the ids are ours, W3C-valid, and propagate alike.
/// Exemplars are kept of sampled traces only.
///
/// # Cost
///
/// A request to a route seen before touches no lock, hashes nothing and allocates
/// nothing: its route's figures are found by the address of the template text axum
/// shares between its requests (around a router, by axum's matcher on its path);
/// they are integer histograms in per-thread shards, which the thread owning a
/// shard updates without a locked instruction; the clock is the TSC where it is
/// invariant, read inline. A request without a body is handed on as it came; one
/// with a body gets a measuring wrapper, boxed into a `Body` (as axum boxes any
/// other body type), and every response body gets one too (which axum boxes).
///
/// # Where to put it
///
/// On a router, with [`Router::layer`](axum::Router::layer): it sees the route
/// axum matched, and needs no list of routes (given one, their series exist before
/// the first request). Call it last, after every `route`, `merge` (the monitoring
/// routes of [`crate::router`] included, which it leaves out by default) and
/// `fallback`: axum applies a layer only to what the router holds so far, and its
/// `merge` keeps the fallback of the router merged in, so that with the monitoring
/// routes merged after the layer a request to an unknown path would not be counted.
///
/// ```
/// use axum::{Router, routing::get};
/// use monitor_runtime::http::HttpMetricsLayer;
///
/// let layer = HttpMetricsLayer::new().routes([("GET", "/users/{id}")]);
/// let app: Router = Router::new()
///     .route("/users/{id}", get(|| async { "ada" }))
///     .merge(monitor_runtime::router())
///     .layer(layer);
/// # let _ = app;
/// ```
///
/// Or around the whole router, as a service of its own: the cheaper place, as
/// axum wraps every route once more for each layer given to `Router::layer` (about
/// two thirds of what this layer adds there). Outside the router no request carries
/// its matched route, so the layer matches the path itself against the templates
/// given to [`routes`](Self::routes), with axum's own matcher: give it every route,
/// as the layer sees them (the full path of a nested route); a route left out of
/// the list counts as [`UNMATCHED_ROUTE`]. The monitoring routes, left out by
/// default, are known by their templates too. `axum::serve` takes a response body
/// of axum's `Body` type, which the measured body becomes with `Body::new` (the
/// one box a route under `Router::layer` also gets):
///
/// ```no_run
/// use axum::body::Body;
/// use axum::http::Response;
/// use axum::{Router, ServiceExt, routing::get};
/// use monitor_runtime::http::HttpMetricsLayer;
/// use tower::ServiceBuilder;
///
/// # async fn run() -> std::io::Result<()> {
/// let app: Router = Router::new()
///     .route("/users/{id}", get(|| async { "ada" }))
///     .merge(monitor_runtime::router());
/// let service = ServiceBuilder::new()
///     .map_response(|response: Response<_>| response.map(Body::new))
///     .layer(HttpMetricsLayer::new().routes([("GET", "/users/{id}")]))
///     .service(app);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, ServiceExt::<axum::extract::Request>::into_make_service(service)).await
/// # }
/// ```
///
/// [`MatchedPath`]: axum::extract::MatchedPath
/// [`UNMATCHED_ROUTE`]: super::UNMATCHED_ROUTE
#[derive(Clone)]
pub struct HttpMetricsLayer {
    // Shared: axum may clone the layer at every request (a handler's route is built
    // per call unless the router had `with_state`), so a clone must cost no more
    // than a counter.
    options: Arc<Options>,
    shared: Arc<OnceLock<&'static Shared>>,
    trace: TraceSettings,
}

impl Default for HttpMetricsLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpMetricsLayer {
    /// A layer with the defaults: duration buckets from 100 µs to 10 s (those of
    /// `#[monitored]`, with 0.25, 0.5, 1 and 2 s among them), body-size buckets in
    /// powers of four from 64 bytes to 16 MiB, status codes as they are, the
    /// monitoring routes left out, no constant labels.
    pub fn new() -> Self {
        Self {
            options: Arc::new(Options {
                duration_buckets: DEFAULT_DURATION_BUCKETS.to_vec(),
                native: NATIVE_OFF,
                size_buckets: DEFAULT_SIZE_BUCKETS.to_vec(),
                group_status: false,
                excluded: monitoring_routes().iter().map(|&r| r.to_owned()).collect(),
                const_labels: Vec::new(),
                routes: Vec::new(),
            }),
            shared: Arc::default(),
            trace: TraceSettings::default(),
        }
    }

    fn with(mut self, change: impl FnOnce(&mut Options)) -> Self {
        change(Arc::make_mut(&mut self.options));
        self.shared = Arc::default();
        self
    }

    /// Upper bounds of the duration histogram, in seconds (by default 100 µs to
    /// 10 s).
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().duration_buckets([0.01, 0.1, 1.0]);
    /// # let _ = layer;
    /// ```
    pub fn duration_buckets(self, buckets: impl IntoIterator<Item = f64>) -> Self {
        let buckets = buckets.into_iter().collect();
        self.with(|o| o.duration_buckets = buckets)
    }

    /// Native histogram buckets of `schema` (from -4 to 8; 3 puts 8 buckets in each
    /// doubling) for the duration histogram, beside its classic buckets: one series
    /// per route, method and status in a Prometheus that scrapes the protobuf format
    /// (see [`crate::native`]). Without it, the process default of
    /// [`native::set_default`](crate::core::native::set_default) applies.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().native(3);
    /// # let _ = layer;
    /// ```
    pub fn native(self, schema: i8) -> Self {
        let schema = schema.clamp(
            crate::core::native::MIN_SCHEMA,
            crate::core::native::MAX_SCHEMA,
        );
        self.with(|o| o.native = schema)
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
    /// replaces the default, the routes of [`crate::router`]; pass an empty list to measure
    /// every route, or [`UNMATCHED_ROUTE`] among them to leave out the requests
    /// that matched no route.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().exclude_routes(["/internal/{job}"]);
    /// # let _ = layer;
    /// ```
    ///
    /// [`UNMATCHED_ROUTE`]: super::UNMATCHED_ROUTE
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

    /// The routes the service serves, as `(method, template)` in axum's syntax
    /// (`/users/{id}`, `/files/{*path}`): their series exist at zero before the
    /// first request (duration and response size with status `200`, or `2xx` when
    /// grouped), and so do those of [`UNMATCHED_ROUTE`]. A request that reaches the
    /// layer without a matched route (the layer around a router) is named by the
    /// template its path matches. Templates that axum would refuse together (two
    /// parameters of other names at one place) are logged, and the later one only
    /// names requests a router matched.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new()
    ///     .routes([("GET", "/orders/{id}"), ("POST", "/orders")]);
    /// # let _ = layer;
    /// ```
    ///
    /// [`UNMATCHED_ROUTE`]: super::UNMATCHED_ROUTE
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

    /// `false`: no server span, no trace context for the handler (the request's
    /// figures only). On by default: see [Traces](Self#traces).
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().trace(false);
    /// # let _ = layer;
    /// ```
    pub fn trace(mut self, enabled: bool) -> Self {
        self.trace.enabled = enabled;
        self
    }

    /// `false`: every request starts a new trace, whatever `traceparent` it
    /// carries: for a public edge, where a client must not choose the trace (or
    /// the sampling) of the service's work. `true` by default.
    ///
    /// ```
    /// let edge = monitor_runtime::http::HttpMetricsLayer::new().trust_incoming_trace(false);
    /// # let _ = edge;
    /// ```
    pub fn trust_incoming_trace(mut self, trust: bool) -> Self {
        self.trace.trust_incoming = trust;
        self
    }

    fn shared(&self) -> &'static Shared {
        self.shared.get_or_init(|| Shared::get(&self.options))
    }
}

impl<S> Layer<S> for HttpMetricsLayer {
    type Service = HttpMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpMetrics {
            inner,
            shared: self.shared(),
            trace: self.trace,
        }
    }
}
