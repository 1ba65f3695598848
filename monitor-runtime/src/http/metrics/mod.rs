//! RED metrics (rate, errors, duration) of a service's own HTTP routes: a tower
//! [`Layer`] in the OpenTelemetry HTTP server conventions, Prometheus form.
//!
//! The layer creates the figures of a (route, method, status) once and keeps them
//! (in `cells`' sharded integer histograms, exposed in the model by
//! `families`);
//! a request to a route it has seen finds them by the address of the route's text
//! and touches relaxed atomics only: no lock, no hashing, no allocation. A guard that
//! records on drop holds the request's figures until its response body has ended or
//! was dropped, so a client that goes away mid-response is counted and the active
//! gauge is restored.

use std::any::TypeId;
use std::collections::HashMap;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, ready};

use axum::BoxError;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::MatchedPath;
use axum::http::{Method, Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

mod cells;
mod families;

use crate::core::exemplar::{self, Slot, TraceContext};
use crate::core::model::{Exemplar, Labels, Text};
use crate::core::native::{NATIVE_OFF, NativeSetting, NativeStore};
use crate::core::{Bounds, CallClock, Shard, ShardedWords, clock, ignore_poison};

/// The request-duration buckets of [`HttpMetricsLayer`] by default, in seconds: from
/// 100 µs to 10 s in 1-2.5-5 steps, with 2 s in place of 2.5 s: the default of
/// `#[monitored]`. A route answered from memory takes well under a millisecond, and
/// its percentiles need bounds there to read as more than "under the first bound";
/// 0.25, 0.5, 1 and 2 s are bounds, so that a route's latency objective at one of
/// those thresholds (and a p95 compared with 1 s or 2 s) is exact.
///
/// ```
/// use monitor_runtime::http::DEFAULT_DURATION_BUCKETS;
///
/// assert_eq!(DEFAULT_DURATION_BUCKETS.first(), Some(&0.0001));
/// assert!([0.25, 0.5, 1.0, 2.0].iter().all(|b| DEFAULT_DURATION_BUCKETS.contains(b)));
/// ```
pub const DEFAULT_DURATION_BUCKETS: &[f64] = crate::core::DEFAULT_BUCKETS;

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

/// The routes of [`crate::router`], which the layer leaves out by default: read
/// from the tables the router is built from, so that none is forgotten.
///
/// ```
/// let routes = monitor_runtime::http::monitoring_routes();
/// assert!(routes.contains(&"/metrics"));
/// assert!(routes.contains(&"/health/{name}"));
/// ```
pub fn monitoring_routes() -> &'static [&'static str] {
    static ROUTES: std::sync::LazyLock<Vec<&'static str>> =
        std::sync::LazyLock::new(super::exporter::monitoring_paths);
    &ROUTES
}

/// The methods with a label of their own; any other folds into `_OTHER`.
pub(super) const METHODS: [&str; 10] = [
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
///   `/users/{id}`), never the raw path. A request that carries no matched route
///   (the layer sits around the router, or the router's fallback answered) is named
///   by the template among those given to [`routes`](Self::routes) and
///   [`exclude_routes`](Self::exclude_routes) that its path matches, as axum would
///   match it; [`UNMATCHED_ROUTE`] when none does.
/// - `http_response_status_code`: the status answered (`200`, `404`…), or its class
///   (`2xx`…) with [`group_status_codes`](Self::group_status_codes);
///   [`CLIENT_CLOSED_STATUS`] when the client left before the response head.
///
/// Durations run from the request's arrival to the end of its response body (or
/// the body's drop, when the client goes away); body sizes are the bytes actually
/// streamed, not `Content-Length`. A handler that panics is answered `500` and
/// counted as such. The routes of [`crate::router`] ([`monitoring_routes`]) are left
/// out unless [`exclude_routes`](Self::exclude_routes) says otherwise.
///
/// The service it wraps receives `Request<axum::body::Body>`, whatever body type
/// came in (axum's handlers take that type anyway; a hyper or tonic service takes
/// any body), and its response body is wrapped to be measured.
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
#[derive(Clone)]
pub struct HttpMetricsLayer {
    // Shared: axum may clone the layer at every request (a handler's route is built
    // per call unless the router had `with_state`), so a clone must cost no more
    // than a counter.
    options: Arc<Options>,
    shared: Arc<OnceLock<&'static Shared>>,
}

#[derive(Clone, PartialEq)]
struct Options {
    duration_buckets: Vec<f64>,
    /// What [`HttpMetricsLayer::native`] asks of native duration buckets.
    native: NativeSetting,
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
                native: NATIVE_OFF,
                size_buckets: DEFAULT_SIZE_BUCKETS.to_vec(),
                group_status: false,
                excluded: monitoring_routes().iter().map(|&r| r.to_owned()).collect(),
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

    /// Upper bounds of the duration histogram, in seconds (by default
    /// [`DEFAULT_DURATION_BUCKETS`], 100 µs to 10 s).
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
    /// [`native::set_default`](crate::native::set_default) applies.
    ///
    /// ```
    /// let layer = monitor_runtime::http::HttpMetricsLayer::new().native(3);
    /// # let _ = layer;
    /// ```
    pub fn native(self, schema: i8) -> Self {
        let schema = schema.clamp(crate::native::MIN_SCHEMA, crate::native::MAX_SCHEMA);
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
    /// replaces the default, [`monitoring_routes`]; pass an empty list to measure
    /// every route, or [`UNMATCHED_ROUTE`] among them to leave out the requests
    /// that matched no route.
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
        }
    }
}

/// The figures of one configuration and the routes seen so far. Leaked: a
/// configuration's series stay in the exposition for the life of the process, and
/// its routes are bounded by the routers it serves (unmatched requests share one).
pub(super) struct Shared {
    options: Options,
    pub(super) duration_bounds: Bounds,
    /// The schema of the native duration buckets, if any.
    native: Option<i8>,
    pub(super) size_bounds: Bounds,
    /// A copy of [`clock`], one pointer hop closer.
    clock: CallClock,
    /// Requests started, by method, at words `0..METHODS.len()`; finished ones after
    /// them. Active is their difference, at scrape time.
    pub(super) active: ShardedWords,
    /// The constant labels of every series, checked (`families`).
    const_labels: Vec<(Text, Text)>,
    /// The labels of the active gauge of each method.
    pub(super) active_labels: [Labels; METHODS.len()],
    /// Seen routes by the address of their text: axum hands every request of a route
    /// a clone of the same `Arc<str>`, so a seen route is found without hashing or
    /// locking. Each slot holds a clone of that `Arc`, so that the address is never
    /// reused for another text while the slot exists: an equal address is the
    /// route. (A router nested as a service builds its nested routes' text per
    /// request; those fill at most the table and are then found by name.)
    by_address: Box<[OnceLock<AddressSlot>]>,
    by_name: Mutex<HashMap<Box<str>, &'static RouteEntry>>,
    /// The templates given to [`HttpMetricsLayer::routes`] and
    /// [`HttpMetricsLayer::exclude_routes`], matched (by axum's own matcher) against
    /// the path of a request that carries no [`MatchedPath`]: one that reached the
    /// layer before a router, or that no route of the router matched.
    by_path: matchit::Router<&'static RouteEntry>,
    unmatched: &'static RouteEntry,
}

struct AddressSlot {
    address: usize,
    entry: &'static RouteEntry,
    /// The text at `address`, kept alive: while the slot holds it, no other text
    /// can be allocated there, so an equal address is this route.
    _text: MatchedPath,
}

/// Slots of the address table (a power of two) and the slots a route may take
/// from its home slot on. A route that finds them all taken is looked up by name,
/// under a lock: correct, slower.
const ADDRESS_SLOTS: usize = 256;
const PROBES: usize = 8;

fn home_slot(address: usize) -> usize {
    // Fibonacci hashing of the address without its alignment bits.
    let mixed = ((address >> 3) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (mixed >> (64 - ADDRESS_SLOTS.trailing_zeros())) as usize
}

/// Configurations in use, so that layers built alike share their figures (and
/// are exposed once).
static CONFIGURATIONS: Mutex<Vec<&'static Shared>> = Mutex::new(Vec::new());

/// `bounds` if they are usable as histogram bounds (finite, non-negative,
/// increasing, `+Inf` last allowed and dropped), else the defaults, logged.
fn checked_bounds(bounds: &[f64], defaults: &[f64], metric: &str) -> Vec<f64> {
    let bounds = match bounds.split_last() {
        Some((last, rest)) if *last == f64::INFINITY => rest,
        _ => bounds,
    };
    let valid = !bounds.is_empty()
        && bounds.iter().all(|b| b.is_finite() && *b >= 0.0)
        && bounds.windows(2).all(|pair| pair[0] < pair[1]);
    if valid {
        bounds.to_vec()
    } else {
        tracing::error!(
            metric,
            ?bounds,
            "invalid HTTP metric buckets (they must be finite, non-negative and increasing); using the defaults"
        );
        defaults.to_vec()
    }
}

impl Shared {
    fn get(options: &Options) -> &'static Self {
        let mut all = ignore_poison(CONFIGURATIONS.lock());
        if let Some(shared) = all.iter().find(|s| s.options == *options) {
            return shared;
        }
        let shared: &'static Self = Box::leak(Box::new(Self::new(options.clone())));
        all.push(shared);
        drop(all);
        families::expose(shared);
        shared.create_configured_routes();
        shared
    }

    fn new(options: Options) -> Self {
        let duration = checked_bounds(
            &options.duration_buckets,
            DEFAULT_DURATION_BUCKETS,
            "http_server_request_duration_seconds",
        );
        let size = checked_bounds(
            &options.size_buckets,
            DEFAULT_SIZE_BUCKETS,
            "http_server_request_body_size_bytes",
        );
        let unmatched = RouteEntry::leaked(&options, UNMATCHED_ROUTE);
        let mut by_name = HashMap::from([(UNMATCHED_ROUTE.into(), unmatched)]);
        let mut by_path = matchit::Router::new();
        let given = options.routes.iter().map(|(_, route)| route);
        for route in given.chain(&options.excluded) {
            if by_name.contains_key(route.as_str()) {
                continue;
            }
            let entry = RouteEntry::leaked(&options, route);
            by_name.insert(route.as_str().into(), entry);
            if let Err(error) = by_path.insert(route.as_str(), entry) {
                // Still named when a router matches it; outside one, its requests
                // count as unmatched.
                tracing::error!(
                    route = route.as_str(),
                    %error,
                    "HTTP route template not usable to match paths"
                );
            }
        }
        let const_labels = families::checked_const_labels(&options.const_labels);
        Self {
            duration_bounds: Bounds::new(&duration, 1e9),
            native: crate::core::native::resolve(options.native),
            size_bounds: Bounds::new(&size, 1.0),
            clock: clock().clone(),
            active: ShardedWords::new(2 * METHODS.len()),
            active_labels: METHODS.map(|method| families::labels(&const_labels, method, None)),
            const_labels,
            by_address: (0..ADDRESS_SLOTS).map(|_| OnceLock::new()).collect(),
            by_name: Mutex::new(by_name),
            by_path,
            unmatched,
            options,
        }
    }

    /// The series of the routes given to [`HttpMetricsLayer::routes`], at zero.
    fn create_configured_routes(&'static self) {
        let grouped = self.options.group_status;
        for (method, route) in &self.options.routes {
            let entry = self.by_route_name(route);
            if !entry.excluded {
                entry
                    .method(self, method_index(method))
                    .status(self, if grouped { 2 } else { 200 });
            }
        }
        if !self.options.routes.is_empty() {
            self.unmatched
                .method(self, 0)
                .status(self, if grouped { 4 } else { 404 });
        }
    }

    fn by_route_name(&self, route: &str) -> &'static RouteEntry {
        let mut by_name = ignore_poison(self.by_name.lock());
        if let Some(entry) = by_name.get(route) {
            return entry;
        }
        let entry = RouteEntry::leaked(&self.options, route);
        by_name.insert(route.into(), entry);
        entry
    }

    /// The entry of a request without a [`MatchedPath`]: the given template its
    /// path matches, or the unmatched route.
    #[inline]
    fn by_path(&self, path: &str) -> &'static RouteEntry {
        match self.by_path.at(path) {
            Ok(matched) => matched.value,
            Err(_) => self.unmatched,
        }
    }

    /// The entry of a matched route: by the address of its text first.
    #[inline]
    fn route(&self, route: &MatchedPath) -> &'static RouteEntry {
        let address = route.as_str().as_ptr() as usize;
        let home = home_slot(address);
        for probe in 0..PROBES {
            match self.by_address[(home + probe) % ADDRESS_SLOTS].get() {
                Some(slot) if slot.address == address => return slot.entry,
                Some(_) => {}
                None => break,
            }
        }
        self.learn(route, address, home)
    }

    #[cold]
    #[inline(never)]
    fn learn(&self, route: &MatchedPath, address: usize, home: usize) -> &'static RouteEntry {
        let entry = self.by_route_name(route.as_str());
        for probe in 0..PROBES {
            let slot = &self.by_address[(home + probe) % ADDRESS_SLOTS];
            if slot.get().is_none()
                && slot
                    .set(AddressSlot {
                        address,
                        entry,
                        _text: route.clone(),
                    })
                    .is_ok()
            {
                break;
            }
        }
        entry
    }

    fn status_slots(&self) -> usize {
        if self.options.group_status { 10 } else { 1000 }
    }

    /// The `http_response_status_code` of the status entry at `slot`: the code, or
    /// its class when grouped.
    pub(super) fn status_label(&self, slot: usize) -> String {
        if self.options.group_status {
            format!("{slot}xx")
        } else {
            slot.to_string()
        }
    }

    /// The constant labels of every series, checked.
    pub(super) fn const_labels(&self) -> &[(Text, Text)] {
        &self.const_labels
    }

    /// The routes seen or given, measured (not left out), sorted.
    pub(super) fn measured_routes(&self) -> Vec<&'static RouteEntry> {
        let mut routes: Vec<&'static RouteEntry> = ignore_poison(self.by_name.lock())
            .values()
            .copied()
            .filter(|entry| !entry.excluded)
            .collect();
        routes.sort_by(|a, b| a.route.cmp(&b.route));
        routes
    }
}

/// The figures of one route, by method, created on first use.
pub(super) struct RouteEntry {
    pub(super) route: Box<str>,
    /// Left out: its requests are not measured.
    excluded: bool,
    pub(super) methods: [OnceLock<MethodEntry>; METHODS.len()],
    /// The labels of each method's request-size series, built by the first
    /// snapshot that finds the method's figures (`families`), so that no
    /// request builds them.
    pub(super) labels: [OnceLock<Labels>; METHODS.len()],
}

pub(super) struct MethodEntry {
    /// The request-size histogram at word 0.
    pub(super) request: ShardedWords,
    /// By status code (`0..1000`), or by class (`0..10`) when grouped.
    pub(super) statuses: Box<[OnceLock<Box<StatusEntry>>]>,
}

pub(super) struct StatusEntry {
    /// The duration histogram at word 0, the response-size histogram after it.
    pub(super) cells: ShardedWords,
    /// The native buckets of the durations, when the layer has them.
    pub(super) native: Option<NativeStore>,
    /// The exemplars of the duration buckets, made by the first traced request.
    pub(super) exemplars: OnceLock<Box<[Slot]>>,
    /// The labels of both series, built by the first snapshot that finds them.
    pub(super) labels: OnceLock<Labels>,
}

impl StatusEntry {
    /// A traced request's exemplar, offered to its duration bucket.
    #[cold]
    #[inline(never)]
    fn offer(&self, bounds: &Bounds, context: TraceContext, nanos: u64) {
        let slots = self
            .exemplars
            .get_or_init(|| (0..bounds.buckets()).map(|_| Slot::default()).collect());
        slots[bounds.bucket(nanos)].offer(context, nanos as f64 / 1e9);
    }

    /// The exemplars of the duration buckets, `(bucket, exemplar)`.
    pub(super) fn exemplars(&self) -> Vec<(usize, Exemplar)> {
        self.exemplars.get().map_or_else(Vec::new, |slots| {
            slots
                .iter()
                .enumerate()
                .filter_map(|(bucket, slot)| Some((bucket, slot.read()?)))
                .collect()
        })
    }
}

impl RouteEntry {
    /// A new entry for `route`, left out if `options` exclude it. Leaked: entries
    /// live as long as their configuration.
    fn leaked(options: &Options, route: &str) -> &'static Self {
        Box::leak(Box::new(Self {
            route: route.into(),
            excluded: options.excluded.iter().any(|r| r == route),
            methods: std::array::from_fn(|_| OnceLock::new()),
            labels: std::array::from_fn(|_| OnceLock::new()),
        }))
    }

    #[inline]
    fn method(&self, shared: &Shared, method: usize) -> &MethodEntry {
        self.methods[method].get_or_init(|| MethodEntry {
            request: ShardedWords::new(cells::words(&shared.size_bounds)),
            statuses: (0..shared.status_slots())
                .map(|_| OnceLock::new())
                .collect(),
        })
    }
}

impl MethodEntry {
    /// `code` is the status code, or its class when grouped.
    #[inline]
    fn status(&self, shared: &Shared, code: u16) -> &StatusEntry {
        let slot = usize::from(code).min(self.statuses.len() - 1);
        self.statuses[slot].get_or_init(|| {
            Box::new(StatusEntry {
                cells: ShardedWords::new(
                    cells::words(&shared.duration_bounds) + cells::words(&shared.size_bounds),
                ),
                native: shared.native.map(NativeStore::new),
                exemplars: OnceLock::new(),
                labels: OnceLock::new(),
            })
        })
    }
}

/// The service [`HttpMetricsLayer`] wraps around another.
#[derive(Clone)]
pub struct HttpMetrics<S> {
    inner: S,
    shared: &'static Shared,
}

impl<S, B, ResBody> Service<Request<B>> for HttpMetrics<S>
where
    S: Service<Request<Body>, Response = Response<ResBody>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
    ResBody: HttpBody,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let shared = self.shared;
        let start = shared.clock.raw();
        let route = match request.extensions().get::<MatchedPath>() {
            Some(path) => shared.route(path),
            None => shared.by_path(request.uri().path()),
        };
        if route.excluded {
            return ResponseFuture {
                inner: self.inner.call(inner_request(request, None)),
                guard: None,
            };
        }
        let method = method_index(request.method());
        let entry = route.method(shared, method);
        let shard = Shard::current().index();
        shared.active.add(shard, method, 1);
        let size = RequestSize { shared, entry };
        let request = inner_request(request, Some((size, shard)));
        let guard = Guard {
            shared,
            entry,
            method: method as u8,
            status: CLIENT_CLOSED_STATUS,
            start,
            bytes: 0,
        };
        // The inner future last, built where it stays (not moved in after).
        ResponseFuture {
            guard: Some(guard),
            inner: self.inner.call(request),
        }
    }
}

/// The request the inner service gets, its body measured when `size` says where to
/// (with the current thread's shard): axum's own `Request<Body>` is handed on as it
/// is, its body replaced in place only when there is something to read; another
/// body type is mapped into a `Body`.
#[inline(always)]
fn inner_request<B>(request: Request<B>, size: Option<(RequestSize, usize)>) -> Request<Body>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    if TypeId::of::<B>() == TypeId::of::<Body>() {
        let mut request = ManuallyDrop::new(request);
        // SAFETY: `B` is `Body` (the same type id): this is the same request.
        let request = unsafe { &mut *std::ptr::from_mut(&mut *request).cast::<Request<Body>>() };
        if let Some((size, shard)) = size {
            let body = request.body_mut();
            if body.is_end_stream() {
                size.record(shard, 0);
            } else {
                let inner = std::mem::take(body);
                *body = Body::new(RequestBody {
                    inner,
                    size: Some(size),
                    bytes: 0,
                });
            }
        }
        // SAFETY: read once, as the request is not dropped (`ManuallyDrop`).
        return unsafe { std::ptr::read(request) };
    }
    request.map(|body| match size {
        Some((size, shard)) if body.is_end_stream() => {
            size.record(shard, 0);
            Body::empty()
        }
        None if body.is_end_stream() => Body::empty(),
        None => Body::new(body),
        Some((size, _)) => Body::new(RequestBody {
            inner: body,
            size: Some(size),
            bytes: 0,
        }),
    })
}

/// A request's figures until its response body ends or is dropped: the drop
/// records them and counts the request finished.
struct Guard {
    shared: &'static Shared,
    /// The figures of the request's route and method.
    entry: &'static MethodEntry,
    method: u8,
    status: u16,
    /// Raw clock reading at arrival.
    start: u64,
    bytes: u64,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let shared = self.shared;
        let nanos = shared.clock.delta_as_nanos(self.start, shared.clock.raw());
        let code = if shared.options.group_status {
            self.status / 100
        } else {
            self.status
        };
        let status = self.entry.status(shared, code);
        let cells = &status.cells;
        let shard = Shard::current().index();
        let durations = &shared.duration_bounds;
        let block = cells.block(shard);
        cells::observe(&block, 0, durations, nanos);
        if let Some(native) = &status.native {
            native.observe(nanos as f64 / 1e9);
        }
        if exemplar::in_use()
            && let Some(context) = exemplar::current_raw()
        {
            status.offer(durations, context, nanos);
        }
        cells::observe(
            &block,
            cells::words(durations),
            &shared.size_bounds,
            self.bytes,
        );
        let finished = METHODS.len() + usize::from(self.method);
        shared.active.add(shard, finished, 1);
    }
}

/// Where a request body's size goes.
struct RequestSize {
    shared: &'static Shared,
    entry: &'static MethodEntry,
}

impl RequestSize {
    /// Records a body of `bytes`, in `shard` (the current thread's).
    #[inline]
    fn record(&self, shard: usize, bytes: u64) {
        let bounds = &self.shared.size_bounds;
        cells::observe(&self.entry.request.block(shard), 0, bounds, bytes);
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
        let response = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(Ok(response))) => response,
            Ok(Poll::Ready(Err(error))) => {
                // The guard records the request now, as one whose answer never came.
                this.guard.take();
                return Poll::Ready(Err(error));
            }
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
        let (parts, body) = response.into_parts();
        if let Some(measuring) = &mut guard {
            measuring.status = parts.status.as_u16();
            if body.is_end_stream() {
                // Nothing to send: recorded now.
                guard = None;
            }
        }
        Poll::Ready(Ok(Response::from_parts(
            parts,
            ResponseBody {
                inner: Some(body),
                guard,
            },
        )))
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
        // Looked at in place and handed on as it came: a frame is large to move.
        let polled = inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(data), Some(guard)) = (frame.data_ref(), this.guard.as_mut()) {
                    guard.bytes += bytes::Buf::remaining(data) as u64;
                }
            }
            Poll::Ready(Some(Err(_)) | None) => {
                this.guard.take();
            }
            Poll::Pending => {}
        }
        polled
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
    /// recorded when it is dropped.
    struct RequestBody<B> {
        #[pin]
        inner: B,
        size: Option<RequestSize>,
        bytes: u64,
    }

    impl<B> PinnedDrop for RequestBody<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(size) = this.size.take() {
                size.record(Shard::current().index(), *this.bytes);
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
