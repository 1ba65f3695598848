//! # monitor
//!
//! Production monitoring from attributes. Write `#[monitored]` on a function and get
//! call, error, latency and in-flight metrics plus a tracing span; serve them to
//! Prometheus with one call.
//!
#![cfg_attr(feature = "http", doc = "```no_run")]
#![cfg_attr(not(feature = "http"), doc = "```")]
//! use monitor_runtime::monitored;
//!
//! #[derive(Debug)]
//! struct OutOfStock;
//!
//! #[monitored]
//! fn reserve(quantity: u32) -> Result<u32, OutOfStock> {
//!     if quantity > 10 { Err(OutOfStock) } else { Ok(quantity) }
//! }
//!
#![cfg_attr(
    feature = "http",
    doc = r#"#[tokio::main]
async fn main() -> Result<(), monitor_runtime::ServeError> {
    reserve(3).unwrap();
    // GET http://127.0.0.1:9898/metrics now shows
    // function_calls_total{function="reserve",module="...",result="ok"} 1
    monitor_runtime::serve("127.0.0.1:9898").await
}"#
)]
#![cfg_attr(
    not(feature = "http"),
    doc = r##"fn main() {
    reserve(3).unwrap();
    // Without the `http` feature, serve this text with a server of your own.
    let exposition = monitor_runtime::render_metrics().unwrap();
    assert!(exposition.contains(r#"function_calls_total{function="reserve""#));
}"##
)]
//! ```
//!
//! ## Metrics of `#[monitored]`
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `function_calls_total` | counter | `function`, `module`, `result` | calls that returned (`result="ok"` or `"error"`) or panicked (`"error"`) |
//! | `function_calls_duration_seconds` | histogram | `function`, `module` | duration of those calls, in seconds |
//! | `function_calls_concurrent` | gauge | `function`, `module` | calls in progress |
//! | `function_calls_cancelled_total` | counter | `function`, `module` | async calls whose future was dropped before completing (async functions only) |
//! | `function_calls_cancelled_duration_seconds` | histogram | `function`, `module` | how long each of those cancelled calls ran before it was dropped, in seconds |
//!
//! A call returning a value whose type implements [`CallOutcome`] (every `Result`,
//! whatever alias spells it) is an error when [`CallOutcome::is_error`] says so. A
//! panic counts as `result="error"`, is timed, and propagates unchanged. A cancelled
//! async call (its future dropped before completion, for example the losing branch of
//! `tokio::select!` or a timed-out request) is neither `ok` nor `error`: it is counted
//! in `function_calls_cancelled_total` and timed apart, in
//! `function_calls_cancelled_duration_seconds`, so that calls cut short by a timeout
//! still show in the tail latency. A panic raised while an async call's result is
//! classified is the call's panic: an error. In every case the in-flight gauge is
//! restored.
//!
//! Every series exists at zero from start-up: annotated functions are collected at
//! link time and registered on first access to the [`registry`] (or by [`init`]).
//!
//! Health checks, liveness/readiness/startup probes and their endpoints (`/health`,
//! `/livez`, `/readyz`) are described in [`health`].
//!
//! What a service watches besides its functions: connection pools ([`pool`]),
//! outgoing HTTP calls ([`client`]), the tokio runtime ([`runtime_metrics`]), cache
//! hit ratios ([`cache`]) and structured logs ([`logs`]).
//!
//! ## Cargo features
//!
//! | feature | default | what it adds | dependencies |
//! |---|---|---|---|
//! | `http` | yes | [`serve`], [`Exporter`], [`router`]: `/metrics`, `/dashboard` and the health endpoints; the JSON of health reports; timeouts, limits, authentication, TLS and gzip | axum, hyper, hyper-util, tower, tower-http (gzip), tokio-rustls (ring), subtle, base64, serde_json, serde_urlencoded, tokio `net`, libc (glibc only) |
//! | `system` | yes | the process collector (`process_*` metrics, Linux), the host metrics of [`system`] (CPU, memory, disks, network) and the built-in checks [`health::builtin`] | sysinfo, procfs |
//! | `sqlx` | no | [`pool::ConnectionPool`] for sqlx pools of any database and [`health::PoolCheck::sqlx`] | sqlx (its pool, no driver) |
//! | `client` | no | [`client`]: the metrics layer for outgoing HTTP calls | http, tower (`timeout`), hyper-util (`client-legacy`), pin-project-lite |
//! | `logs` | no | [`logs`]: JSON log lines with the spans' fields, secrets redacted | tracing-subscriber (`registry`), serde_json |
//! | `push` | no | [`push::Pushgateway`]: the registry pushed to a Prometheus Pushgateway | hyper, hyper-util (client), http-body-util, base64, tokio `net` |
//! | `remote-write` | no | [`push::RemoteWrite`]: Prometheus remote-write to any receiver, with retries and a bounded buffer | hyper, hyper-util (client), http-body-util, prost, snap, tokio `net` |
//! | `grafana` | yes (with `http`) | [`grafana`]: Grafana dashboards generated for the service | serde_json |
//!
//! Without them the attributes work as they do with them, every series is
//! registered at start-up, health checks run, and [`render_metrics`] gives the text
//! exposition to serve with a server of your own.
//!
//! ## Architecture
//!
//! Each folder of `src/` owns one part. Imports run one way, `core` ← features ←
//! `http`, which `tests/layout.rs` checks.
//!
//! - `core/`: the global [`registry`] and [`init`], [`RegistrationError`] and the one
//!   function every feature reports them through, source locations (`file:line`),
//!   the poison-tolerant lock helper, the text exposition ([`render_metrics`]), the
//!   instance [`identity`] (`target_info`), and
//!   what the expansions of both `#[monitored]` and `#[business_metric]` use
//!   ([`CallOutcome`] classification, the early-exit traits). It imports nothing
//!   else of the crate: features add an initialiser to its link-time slice, which
//!   the registry runs on first use, so it knows none of them.
//! - `monitored/`: `#[monitored]`: the descriptor of each function, its link-time
//!   slice and registration, the guard that times a call, its span.
//! - `business/`: business metrics: declarations, their link-time slice and
//!   registration, families with the cardinality guard, the handles of
//!   [`business_metrics!`].
//! - `health/`: health checks: the engine (timeouts, caching, single flight), the
//!   link-time slice of `#[health_check]` functions, their metrics and reports, and
//!   (feature `http`) their endpoints, served by [`router`].
//! - `alerts/`: objectives, default service and business alerts, and their
//!   rendering as a Prometheus rule file or a Kubernetes `PrometheusRule`
//!   ([`alerts`]).
//! - `pool/`: watched connection pools: [`pool::ConnectionPool`], its sqlx
//!   implementation (feature `sqlx`), the gauges sampled at each scrape.
//! - `client/` (feature `client`): the HTTP client metrics layer.
//! - `runtime_metrics/`: the tokio runtime's metrics, sampled at each scrape.
//! - `cache/`: the cache hit and miss counters and their recording rule.
//! - `logs/` (feature `logs`): the JSON log layer; its list of secret words is a
//!   copy of the one the naming rules use, kept equal by a test.
//! - `push/` (features `push`, `remote-write`): the Pushgateway and remote-write
//!   clients ([`push`]) and their own metrics.
//! - `kubernetes/`: the `Service`, `ServiceMonitor`/`PodMonitor`, container probes
//!   and the bundle with the alerts' `PrometheusRule` ([`kubernetes`]); like
//!   `http`, it sits on top: it uses the public API of `alerts`, nothing imports it.
//! - `history/`: the built-in dashboard's history: readings of the registry every
//!   few seconds, the ring buffer of the last hour, rates, error ratios and
//!   percentiles per step.
//! - `system/` (feature `system`): host metrics from sysinfo: CPU, memory, disks,
//!   network ([`system`]).
//! - `grafana/` (feature `grafana`): the generated Grafana dashboards ([`grafana`]).
//! - `http/` (feature `http`): the exporter, the dashboard (which reads `history`,
//!   `system` and `grafana`), `/alerts/rules.yml`,
//!   the HTTP metrics layer ([`http::HttpMetricsLayer`]) and [`CallOutcome`] for
//!   axum's `StatusCode` and `Response`; it merges in the health endpoints through
//!   the public API of `health`; nothing imports it.
//! - `diagnostics.rs`: the catalog of compile-time checks (documentation only).
//! - `__private.rs`: only `pub use` of what generated code needs, the one door it
//!   goes through; nothing in the crate imports it.
//!
//! Features import `core` and never each other.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Links to items of a disabled feature cannot resolve; a build with every feature
// (the workspace's, where the `tests` package turns the optional ones on) checks them all.
#![cfg_attr(
    not(all(
        feature = "http",
        feature = "system",
        feature = "sqlx",
        feature = "client",
        feature = "logs",
        feature = "exemplars"
    )),
    allow(rustdoc::broken_intra_doc_links)
)]

#[doc = include_str!("monitored/attribute.md")]
pub use monitor_macros::monitored;
pub use monitor_macros::{HealthCheck, health_check};

/// Turns a function into a business signal: a counter, gauge or histogram of what the
/// function does, updated on each call.
///
/// ```
/// use monitor_runtime::business_metric;
///
/// #[derive(Debug)]
/// pub struct SignUpError;
///
/// #[business_metric(
///     counter = "user_signups_total",
///     help = "Completed sign-ups, by plan.",
///     labels(plan = plan, channel = "web"),
/// )]
/// fn sign_up(plan: &str, email: &str) -> Result<u64, SignUpError> {
///     if email.contains('@') { Ok(42) } else { Err(SignUpError) }
/// }
///
/// sign_up("pro", "ada@example.com").unwrap();
/// sign_up("pro", "not an address").unwrap_err(); // not counted: the default is `on = "ok"`
///
/// let exposition = monitor_runtime::render_metrics().unwrap();
/// assert!(exposition.contains(r#"user_signups_total{channel="web",plan="pro"} 1"#));
/// ```
///
/// It goes on free functions and methods, sync or `async`, and several may be stacked
/// on one function, each declaring one metric. It combines with
/// [`#[monitored]`](macro@monitored) in either order.
///
/// # Arguments
///
/// | argument | meaning |
/// |---|---|
/// | `counter = "name_total"` / `gauge = "name"` / `histogram = "name"` | the kind and name of the metric (required, first) |
/// | `help = "..."` | what it measures (required) |
/// | `labels(name = expr, name = "constant", name)` | labels: an expression over the arguments (or `ret`), a constant, or `name` alone for the argument of that name |
/// | `on = "ok"` / `"error"` / `"always"` | which calls update the metric; default `"ok"` |
/// | `amount = expr` | counter: how much to add (default 1) |
/// | `set = expr`, `inc`, `inc = expr`, `dec`, `dec = expr` | gauge: what to do (one of them) |
/// | `observe = expr` | histogram: the value to record |
/// | `buckets = [..]` | histogram: upper bounds in the metric's unit, positive and strictly increasing; required unless the name ends in `_seconds`, which takes the bounds of `#[monitored]` (100 µs to 10 s), or `native` is given |
/// | `native` / `native(schema = N)` | histogram: native buckets (exponential, schema -4 to 8, 3 by default; M045) from 10⁻⁶ to 10¹⁵ in the metric's unit, alone or beside `buckets`; see [`native`] |
/// | `max_label_sets = N` | cardinality limit of this metric (default [`business::DEFAULT_MAX_LABEL_SETS`]) |
/// | `crate = "path"` | path of this crate when it is renamed |
///
/// # Which calls count
///
/// A call *succeeds* when the value it returns is not an error according to
/// [`CallOutcome`]: an `Ok` for every `Result` (whatever alias spells it), and any
/// value of a type that does not implement `CallOutcome`. So by default (`on = "ok"`)
/// a function returning `Result` updates its metric on `Ok` only, and any other
/// function on every call. `on = "error"` updates on errors only, `on = "always"` on
/// every call that returns. A call that panics or whose future is dropped updates
/// nothing.
///
/// # Expressions and `ret`
///
/// Expressions may read the arguments and `ret`, a reference to:
/// - with `on = "ok"`: the success value (the `T` of `Ok(T)`, or the whole value
///   returned by a function that does not return a `Result`);
/// - with `on = "error"`: the error (the `E` of `Err(E)`, or the whole value);
/// - with `on = "always"`: the whole returned value.
///
/// Expressions that do not mention `ret` are evaluated when the call starts, before
/// the body runs, so they may read arguments the body consumes. Those that mention it
/// are evaluated after the body returned. A `ret` binding shadows an argument of that
/// name. Values are numbers ([`business::MetricValue`]: integers, floats,
/// [`std::time::Duration`] in seconds); label values are [`business::LabelValue`]s:
/// `&str`, `String`, integers, `bool` or your own enums. A type error points at the
/// expression.
///
/// ```
/// use monitor_runtime::business::LabelValue;
/// use monitor_runtime::business_metric;
/// use std::borrow::Cow;
///
/// #[derive(Debug)]
/// pub enum LoginFailure { BadPassword, Locked }
///
/// impl LabelValue for LoginFailure {
///     fn label_value(&self) -> Cow<'_, str> {
///         Cow::Borrowed(match self {
///             LoginFailure::BadPassword => "bad_password",
///             LoginFailure::Locked => "locked",
///         })
///     }
/// }
///
/// pub struct Order { pub total_euros: f64 }
///
/// pub struct Shop;
///
/// impl Shop {
///     #[business_metric(counter = "login_failures_total", help = "Failed logins, by reason.",
///                       on = "error", labels(reason = ret))]
///     #[business_metric(gauge = "sessions_active", help = "Sessions open.", inc)]
///     pub fn log_in(&self, user: &str) -> Result<u64, LoginFailure> {
///         if user == "locked" { Err(LoginFailure::Locked) } else { Ok(7) }
///     }
///
///     #[business_metric(gauge = "sessions_active", help = "Sessions open.", dec)]
///     pub fn log_out(&self, session: u64) {}
///
///     #[business_metric(histogram = "order_value_euros", help = "Value of placed orders.",
///                       observe = ret.total_euros, buckets = [10.0, 50.0, 100.0, 500.0])]
///     pub async fn place_order(&self, total_euros: f64) -> Result<Order, String> {
///         Ok(Order { total_euros })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let shop = Shop;
/// let session = shop.log_in("ada").unwrap();
/// shop.log_in("locked").unwrap_err();
/// shop.log_out(session);
/// shop.place_order(42.5).await.unwrap();
/// # });
/// let exposition = monitor_runtime::render_metrics().unwrap();
/// assert!(exposition.contains(r#"login_failures_total{reason="locked"} 1"#));
/// assert!(exposition.contains("sessions_active 0"));
/// assert!(exposition.contains("order_value_euros_sum 42.5"));
/// ```
///
/// # Compile-time checks
///
/// Metric and label names, help and buckets pass the naming rules (each error carries
/// its `M0xx` code); a histogram not named in `_seconds` without `buckets` is an
/// error that says in what unit to give them (M044); labels whose value would come
/// from a secret-looking argument or field (`password`, `token`, `api_key`, …) are
/// rejected (M060). Unknown, misplaced or repeated arguments are errors that list
/// what is expected.
///
/// # Registration and series
///
/// Every declaration is registered at [`init`] (or on first access to [`registry`]):
/// a metric without labels taken from calls is exposed at zero from start-up; a
/// labelled one gets a series when a label set first appears. Declarations of the same
/// name in several places share the metric when they agree on kind, label names, help
/// and buckets; otherwise [`init`] reports [`RegistrationError::Incompatible`] with
/// both locations. Declarations that agree but give different `max_label_sets` are
/// reported the same way, and keep sharing the metric with the smaller limit.
///
/// A label value longer than [`business::MAX_LABEL_VALUE_LEN`] (256) bytes is cut to
/// that length and counted in `monitor_label_values_cut_total`. See [`business`] for
/// the cardinality guard.
pub use monitor_macros::business_metric;

/// Declares business metrics updated anywhere in the code, as statics with a typed
/// handle: [`business::Counter`], [`business::Gauge`] or [`business::Histogram`].
///
/// ```
/// monitor_runtime::business_metrics! {
///     /// Orders placed, by plan and region.
///     pub counter ORDERS_TOTAL = "orders_total", help = "Orders placed.",
///         labels(plan, region, source = "api");
///     /// Size of the outgoing mail queue.
///     pub gauge MAIL_QUEUE = "mail_queue_messages", help = "Messages waiting to be sent.";
///     /// Value of refunds.
///     pub histogram REFUND_VALUE = "refund_value_euros", help = "Value of refunds.",
///         buckets = [5.0, 20.0, 100.0], max_label_sets = 50;
/// }
///
/// ORDERS_TOTAL.inc([&"pro", &"eu"]);
/// MAIL_QUEUE.set(12, []);
/// REFUND_VALUE.observe(17.5, []);
/// assert_eq!(ORDERS_TOTAL.with([&"pro", &"eu"]).get(), 1.0);
/// ```
///
/// Each entry is `attributes visibility kind NAME = "metric_name", options;` with
/// `kind` one of `counter`, `gauge`, `histogram`, and the options `help = "..."`
/// (required), `labels(name, name = "constant")`, `buckets = [...]` (histograms; required
/// unless the name ends in `_seconds` or `native` is given), `native` or
/// `native(schema = N)` (histograms) and `max_label_sets = N`. Labels listed by name get their value at each update, in the
/// order listed, as an array of [`business::LabelValue`]s; the handle's type says how
/// many (`Counter<2>` above). The same compile-time checks as
/// [`#[business_metric]`](macro@business_metric) apply, and the metrics are registered
/// at [`init`] like theirs: without labels given at updates, at zero from start-up.
/// Label values are cut to [`business::MAX_LABEL_VALUE_LEN`] bytes, and two
/// declarations of one metric with different `max_label_sets` are reported as
/// [`RegistrationError::Incompatible`] (the smaller limit applies to both), as for the
/// attribute.
///
/// In a crate that renamed the dependency (`monitor = { package = "monitor-runtime" }`),
/// give each entry `crate = "monitor"` among its options, as `#[business_metric(crate =
/// "monitor", ...)]` takes it:
///
/// ```
/// use monitor_runtime as monitor;
///
/// monitor::business_metrics! {
///     pub counter JOBS = "renamed_jobs_total", help = "Jobs done.", crate = "monitor";
/// }
///
/// JOBS.inc([]);
/// assert_eq!(JOBS.with([]).get(), 1.0);
/// ```
pub use monitor_macros::business_metrics;

pub mod alerts;
pub mod business;
pub mod cache;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
mod core;
#[cfg(feature = "grafana")]
#[cfg_attr(docsrs, doc(cfg(feature = "grafana")))]
pub mod grafana;
pub mod health;
mod history;
#[cfg(feature = "http")]
pub mod http;
pub mod kubernetes;
#[cfg(feature = "logs")]
#[cfg_attr(docsrs, doc(cfg(feature = "logs")))]
pub mod logs;
mod monitored;
pub mod pool;
#[cfg(any(feature = "push", feature = "remote-write"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "push", feature = "remote-write"))))]
pub mod push;
pub mod runtime_metrics;
#[cfg(feature = "system")]
#[cfg_attr(docsrs, doc(cfg(feature = "system")))]
pub mod system;

#[cfg(any(feature = "http", feature = "push", feature = "remote-write"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "http", feature = "push", feature = "remote-write")))
)]
pub use crate::core::Background;
pub use crate::core::exemplar as exemplars;
pub use crate::core::{
    CallOutcome, Format, InitError, RegistrationError, init, register_collector, registry, render,
    render_metrics, snapshot,
};
pub use crate::core::{identity, model, native};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use http::exporter::{DEFAULT_ADDR, Exporter, ServeError, router, serve};

/// The `prometheus` crate this one is built on, re-exported so that the types
/// [`registry`] hands out ([`Registry`](prometheus::Registry), collectors, metric
/// families) are the very ones your code names, whatever `prometheus` version it
/// would otherwise depend on.
///
/// ```
/// use monitor_runtime::prometheus::{IntGauge, Opts};
///
/// let workers = IntGauge::with_opts(Opts::new("workers_idle", "Idle workers.")).unwrap();
/// monitor_runtime::registry().register(Box::new(workers.clone())).unwrap();
/// workers.set(4);
/// assert!(monitor_runtime::render_metrics().unwrap().contains("workers_idle 4"));
/// ```
pub use prometheus;

pub mod diagnostics;

#[doc(hidden)]
pub mod __private;
