//! # monitor
//!
//! Production monitoring from attributes: call, error, latency and in-flight
//! metrics and a tracing span for a function, business counters, gauges and
//! histograms, health checks, HTTP metrics per route, served to Prometheus,
//! Kubernetes and people with one call. Five things make up the front door.
//!
//! **`#[monitored]`** on a function: its calls by result, their duration, the calls
//! in progress and a span ([`macro@monitored`]).
//!
//! ```
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
//! reserve(3).unwrap();
//! let exposition = monitor_runtime::render_metrics().unwrap();
//! assert!(exposition.contains(r#"function_calls_total{function="reserve""#));
//! ```
//!
//! **`#[business_metric]`** on a function: what it does, counted, set or observed
//! ([`macro@business_metric`], and [`business_metrics!`] for updates anywhere).
//!
//! ```
//! use monitor_runtime::business_metric;
//!
//! #[business_metric(counter = "subscriptions_started_total", help = "Subscriptions started, by plan.", labels(plan))]
//! fn subscribe(plan: &str) -> Result<u64, String> {
//!     Ok(42)
//! }
//!
//! subscribe("pro").unwrap();
//! let exposition = monitor_runtime::render_metrics().unwrap();
//! assert!(exposition.contains(r#"subscriptions_started_total{plan="pro"} 1"#));
//! ```
//!
//! **`#[health_check]`** on a function, or **`#[derive(HealthCheck)]`** on a struct:
//! liveness, readiness and startup checks with timeouts and caching ([`health`]).
//!
//! ```
//! use monitor_runtime::health::{HealthRegistry, Probe, Status};
//! use monitor_runtime::health_check;
//!
//! #[health_check(name = "stock", readiness, timeout = "500ms")]
//! async fn stock() -> Result<(), std::io::Error> {
//!     Ok(()) // ping the database, say
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let report = HealthRegistry::global().report(Probe::Readiness).await;
//! assert_eq!(report.status, Status::Healthy);
//! # });
//! ```
//!
//! **The HTTP layer** on an axum router (or any tower HTTP service): duration, body
//! sizes and requests in progress per route template ([`http::HttpMetricsLayer`];
//! feature `http`).
//!
#![cfg_attr(feature = "http", doc = "```")]
#![cfg_attr(not(feature = "http"), doc = "```text")]
//! use axum::{Router, routing::get};
//! use monitor_runtime::http::HttpMetricsLayer;
//!
//! let app: Router = Router::new()
//!     .route("/orders/{id}", get(|| async { "an order" }))
//!     .layer(HttpMetricsLayer::new());
//! # let _ = app;
//! ```
//!
//! **Serving**: `/metrics` for Prometheus (text, OpenMetrics or protobuf, as it
//! asks), the health endpoints, the alert rules and a live dashboard, until Ctrl-C or
//! SIGTERM ([`serve`]; [`Exporter`] to choose the address, limits, credentials, TLS
//! and the shutdown signal; [`router`] to merge the routes into your own server).
//!
#![cfg_attr(feature = "http", doc = "```no_run")]
#![cfg_attr(not(feature = "http"), doc = "```text")]
//! #[tokio::main]
//! async fn main() -> Result<(), monitor_runtime::ServeError> {
//!     monitor_runtime::serve("127.0.0.1:9898").await
//! }
//! ```
//!
//! Without the `http` feature, [`render_metrics`] gives the text exposition to serve
//! with a server of your own.
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
//! | label | value |
//! |---|---|
//! | `function` | the function's name, `Type::method` in an `impl` block, or the `name = "…"` argument |
//! | `module` | the Rust module path of the function (`module_path!()`), e.g. `shop::orders` |
//! | `result` | `ok` or `error` |
//!
//! Error ratio per function:
//! `sum by (function) (rate(function_calls_total{result="error"}[5m])) / sum by (function) (rate(function_calls_total[5m]))`;
//! 99th percentile latency:
//! `histogram_quantile(0.99, sum by (function, le) (rate(function_calls_duration_seconds_bucket[5m])))`.
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
//! Each request the HTTP layer measures runs in a W3C trace (its `traceparent`'s or a
//! new one) under a server span, which `#[monitored]` spans nest below; the client
//! layer sends the trace on, and exemplars and JSON logs carry its id: see
//! [`exemplars`].
//!
//! What a service watches besides its functions: connection pools ([`pool`]),
//! outgoing HTTP calls ([`client`]), the tokio runtime ([`runtime_metrics`]), cache
//! hit ratios ([`cache`]) and structured logs ([`logs`]).
//!
//! ## Serving
//!
//! [`serve`] runs a server of the monitoring routes; [`Exporter`] binds first, so
//! that the port can be read back and the server stopped gracefully; [`router`]
//! gives the same routes as an axum `Router` to merge into a server of your own.
//! The routes, the dashboard, the limits, authentication and TLS are described in
//! [`http`]. Collectors of your own go into the [`registry`] and are served beside
//! the rest.
//!
//! A registration problem (two declarations of one metric that disagree, a clash
//! with a collector of yours) never stops serving: it is logged once with both
//! source locations (printed to stderr when no `tracing` subscriber would show it),
//! counted in `monitor_registration_problems` and listed on the dashboard; [`init`]
//! returns them, and [`Exporter::strict`] refuses to start instead.
//!
//! ## The framework's own metrics
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `target_info`, `monitor_build_info` | gauge | the [`identity`]; `version` | who this process is (always 1) |
//! | `monitor_registration_problems` | gauge | | registration problems found at start-up; the items run, some series are left out (feature `http`) |
//! | `monitor_exposition_renders_total` | counter | | renderings of `/metrics`; concurrent scrapes share one (feature `http`) |
//! | `monitor_exporter_rejected_connections_total` | counter | | connections closed at once because the exporter had `max_connections` open (feature `http`) |
//! | `monitor_exposition_errors_total` | counter | | metric families left out of an exposition because the encoder refused them (a broken collector); the rest is still served |
//! | `monitor_exemplars_dropped_total` | counter | | exemplars left out because their labels pass OpenMetrics' 128 characters |
//! | `monitor_trace_context_invalid_total` | counter | `reason` | `traceparent` and `tracestate` headers ignored as W3C Trace Context says (`version`, `format`, `trace_id`, `parent_id`, `flags`, `multiple`, `tracestate`); the request was served in a new trace |
//!
//! The figures of each part are listed in its module: business metrics and their
//! overflow counters in [`business`], checks in [`health`], HTTP routes in
//! [`http::HttpMetricsLayer`], pools in [`pool`], outgoing calls in [`client`], the
//! tokio runtime in [`runtime_metrics`], caches in [`cache`], the host and the
//! process in [`system`], the push clients in [`push`].
//!
//! ## Exposition formats
//!
//! Every figure lives in one typed [`model`] ([`snapshot`] takes one). `/metrics`
//! renders it in the format the scraper's `Accept` header asks for ([`render`] does
//! the same with a [`Format`] of your choice); the dashboard, the embedded alerts,
//! remote-write, OTLP and the Pushgateway read the model itself, never exposition text.
//!
//! | format | `Content-Type` | carries | who asks for it |
//! |---|---|---|---|
//! | Prometheus text 0.0.4 | `text/plain; version=0.0.4` | every family; histograms as classic buckets | curl, old scrapers, any `Accept` that cannot be read |
//! | OpenMetrics 1.0 | `application/openmetrics-text; version=1.0.0` | `# UNIT`, counters and info families as OpenMetrics names them, exemplars, `# EOF` | Prometheus 2.x by default |
//! | Prometheus protobuf | `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited` | [`native`] histograms (beside classic buckets where both are kept), [`exemplars`] | Prometheus with `--enable-feature=native-histograms` (2.x), `scrape_protocols: [PrometheusProto, ...]` (3.x) |
//!
//! `/metrics?format=text` (or `openmetrics`, `protobuf`) forces one, for example in a
//! scrape job's `params: {format: [text]}`. Each is gzip-compressed when the client
//! accepts it. A Prometheus that stores all of it (native histograms and exemplars):
//!
//! ```yaml
//! # prometheus --config.file=prometheus.yml --enable-feature=native-histograms,exemplar-storage
//! global:
//!   scrape_interval: 5s
//! scrape_configs:
//!   - job_name: quickstart
//!     static_configs:
//!       - targets: ['127.0.0.1:9898']
//! ```
//!
//! ## Many replicas
//!
//! A service runs as many replicas, in several clusters, and its figures are stored
//! centrally. The crate builds on the engines people already run (Prometheus,
//! VictoriaMetrics, Thanos, Mimir, Alertmanager) and adds nothing of its own between
//! them:
//!
//! - Each process has an [`identity`] (service, instance, version), exposed once as
//!   `target_info`, never as labels on every series: the scraper adds `job` and
//!   `instance`, so replicas never collide and no series' cardinality grows with
//!   them.
//! - Every generated rule and dashboard sums rates over instances first and divides
//!   after (`sum by (function, module) (rate(...)) / sum by (function, module)
//!   (rate(...))`), so alerts and panels hold for one replica or three hundred.
//! - What cannot be scraped pushes: to a Pushgateway or by remote-write ([`push`]).
//!
//! Series one instance exposes:
//!
//! | what | series |
//! |---|---|
//! | a `#[monitored]` sync function | 22: `function_calls_total` × 2 results, `function_calls_concurrent`, the duration histogram (16 default buckets, `+Inf`, `_sum`, `_count`) |
//! | a `#[monitored]` async function | 42: the same plus `function_calls_cancelled_total` and its duration histogram |
//! | an HTTP route × method × status | 45: the duration histogram (16 default buckets + 3) and both body-size histograms (10 buckets + 3 each) |
//! | a business counter or gauge label set | 1 |
//! | a business histogram label set | buckets + 3 |
//! | the process itself | 17 without health checks or HTTP routes: `target_info`, `monitor_build_info`, `process_*`, the framework's own counters |
//!
//! A process of 1 000 monitored functions thus exposes about 22 000 samples, which
//! `/metrics` renders in a few milliseconds (the measurements are in the `scale` and
//! `scrape` benchmarks of the repository's `tests/benches`). Keep the scrape timeout
//! well above that (the default 10 s is) and a scrape interval of 15 s or more. As
//! replicas grow (series ≈ series per instance × replicas):
//!
//! - **Up to about 100 replicas**: one Prometheus (or vmagent and VictoriaMetrics)
//!   scrapes them all. Keep dashboards and alerts on the recording rules the
//!   [`alerts`] generate (`monitor_slo:*`), already summed over instances: a panel
//!   then reads a few series per function instead of one per replica.
//! - **About 1 000 replicas, or several clusters**: scrape locally (a Prometheus in
//!   agent mode, or vmagent, per cluster) and remote-write to a central store
//!   (VictoriaMetrics cluster, Thanos Receive, Mimir), with a `cluster` external
//!   label; evaluate the rules centrally (vmalert, Thanos Ruler, Mimir's ruler). To
//!   cut volume, record the per-function sums in each cluster and send only those
//!   (`write_relabel_configs` keeping `monitor_slo:.*` and `up`), or federate
//!   `/federate?match[]={__name__=~"monitor_slo:.*"}` from a global Prometheus.
//!   Lengthen the scrape interval before dropping histograms; if there are still too
//!   many buckets, give the HTTP layer fewer (`duration_buckets`).
//! - **Processes that do not live long enough to be scraped** (batch jobs): the
//!   Pushgateway for the last result of each job, remote-write for anything that
//!   runs longer than a scrape interval.
//!
//! ## Cargo features
//!
//! | feature | default | what it adds | dependencies |
//! |---|---|---|---|
//! | `http` | yes | [`serve`], [`Exporter`], [`router`]: `/metrics`, `/dashboard` and the health endpoints; the JSON of health reports; timeouts, limits, authentication, TLS and gzip | axum, hyper, hyper-util, tower, tower-http (gzip), tokio-rustls (ring), subtle, base64, serde_json, serde_urlencoded, tokio `net`, libc (glibc only) |
//! | `system` | yes | the process collector (`process_*` metrics, Linux), the host metrics of [`system`] (CPU, memory, disks, network) and the built-in checks [`health::builtin`] | sysinfo, procfs |
//! | `sqlx` | no | [`pool::ConnectionPool`] for sqlx pools of any database and [`health::PoolCheck::sqlx`] | sqlx (its pool, no driver) |
//! | `client` | no | [`client`]: the metrics layer for outgoing HTTP calls | http, tower (`timeout`), hyper-util (`client-legacy`), pin-project-lite |
//! | `logs` | no | [`logs`]: JSON log lines with the spans' fields and trace ids, secrets redacted | tracing-subscriber (`registry`), serde_json |
//! | `exemplars` | no | [`exemplars::ContextLayer`]: the current span's trace as the thread's context, which exemplars carry | tracing-subscriber (`registry`) |
//! | `opentelemetry` | no | with `tracing-opentelemetry` installed, OpenTelemetry's ids in the HTTP layers' spans and propagated headers, logs and exemplars (see [`exemplars`]) | opentelemetry (`trace`), tracing-opentelemetry |
//! | `push` | no | [`push::Pushgateway`]: the registry pushed to a Prometheus Pushgateway | hyper, hyper-util (client), http-body-util, base64, tokio `net` |
//! | `remote-write` | no | [`push::RemoteWrite`]: Prometheus remote-write to any receiver, with retries and a bounded buffer | hyper, hyper-util (client), http-body-util, prost, snap, tokio `net` |
//! | `otlp` | no | [`push::Otlp`]: the metrics over OTLP/HTTP (protobuf) to an OpenTelemetry collector, with remote-write's delivery (it turns `remote-write` on) | opentelemetry-proto (its generated messages), and `remote-write`'s |
//! | `grafana` | yes (with `http`) | [`grafana`]: Grafana dashboards generated for the service | serde_json |
//!
//! Without them the attributes work as they do with them, every series is
//! registered at start-up, health checks run, and [`render_metrics`] gives the text
//! exposition to serve with a server of your own.
//!
//! ## Architecture
//!
//! The workspace holds two crates: this one, which users depend on and which holds
//! every run-time part, and `monitor-macros`, the procedural macros it re-exports
//! (parsing, validation, code generation, no run-time logic). Generated code reaches
//! this crate only through its hidden `__private` module.
//!
//! Each folder of `src/` owns one part. Imports run one way, `core` ← features ←
//! `http` (and `kubernetes`, `grafana`). `tests/layout.rs` fails on an import cycle
//! (between folders, and between the files of the macro crate), on `core` importing
//! a feature, on one feature importing another, and on anything but `pub use` in
//! `__private.rs`; `tests/public_api.rs` (in the `tests` package) counts the public
//! items from rustdoc's JSON and fails past 120, on an item with two public paths,
//! and on a doc-hidden item reachable outside `__private`.
//!
//! - `core/`: the [`model`] of every figure and the sources that produce it, the
//!   three renderers (text, OpenMetrics, protobuf) and the negotiation of `Accept`
//!   ([`Format`]), the conversion of the application's `prometheus` collectors (the
//!   one reader of `prometheus`' protobuf types), the samples of a snapshot, the
//!   sharded storage of counters and histograms, [`native`] buckets and
//!   [`exemplars`] slots, the global [`registry`] and [`init`],
//!   [`RegistrationError`] and the one function every feature reports them through,
//!   source locations (`file:line`), the poison-tolerant lock helper, the instance
//!   [`identity`] (`target_info`), and
//!   what the expansions of both `#[monitored]` and `#[business_metric]` use
//!   ([`CallOutcome`] classification, the early-exit traits), and the one handle of
//!   background work ([`Background`]). It imports nothing else of the crate and names
//!   no part: every part, core's own figures among them, adds an initialiser to its
//!   link-time slice, which the registry runs on first use by phase (core's own
//!   figures first), so it knows none of them.
//! - `monitored/`: `#[monitored]`: the descriptor of each function, its link-time
//!   slice and registration, the guard that times a call, its span.
//! - `business/`: business metrics: declarations, their link-time slice and
//!   registration, families with the cardinality guard (a lock-free table per
//!   family), each thread's cache of the series that short label values resolved
//!   to, the handles of [`business_metrics!`].
//! - `health/`: health checks: the engine (timeouts, caching, single flight), the
//!   link-time slice of `#[health_check]` functions, their metrics and reports, and
//!   (feature `http`) their endpoints, served by [`router`].
//! - `alerts/`: objectives, default service and business alerts, and their
//!   rendering as a Prometheus rule file or a Kubernetes `PrometheusRule`
//!   ([`alerts`]), the embedded evaluator.
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
//! - `grafana/` (feature `grafana`): the generated Grafana dashboards ([`grafana`]);
//!   like `kubernetes`, it sits on top: it reads the objectives of `alerts` and the
//!   kinds of the model.
//! - `http/` (feature `http`): the exporter, the dashboard (which reads `history`,
//!   `system` and `grafana`), `/alerts/rules.yml`, `/alerts`, `/alerts/history` and
//!   the embedded evaluator's loop and notifications,
//!   the HTTP metrics layer in `http/metrics/`, one file per part as tower-http
//!   lays out a middleware (`layer`, `service`, `future`, `body`, `guard`, `routes`,
//!   the cells and the families it exposes; [`http::HttpMetricsLayer`]), the
//!   exporter's own answers (`answer.rs`, which the others import) and [`CallOutcome`] for
//!   axum's `StatusCode` and `Response`; it merges in the health endpoints through
//!   the public API of `health`; nothing imports it.
//! - `diagnostics.rs`: the catalog of compile-time checks (documentation only).
//! - `__private.rs`: only `pub use` of what generated code needs, the one door it
//!   goes through; nothing in the crate imports it.
//!
//! Features import `core` and never each other.
//!
//! Inside `monitor-macros/src/`: `support/` (shared, imports no attribute module:
//! error context, argument helpers, the function model, early-exit rewriting, the one
//! body wrapper), one folder per attribute (`monitored/`, `business/`, `health/`),
//! `naming/` (every naming, bucket and duration rule, codes `M0xx`, see
//! [`diagnostics`]), and `stacked.rs`, which expands `#[monitored]` and any
//! `#[business_metric]`s on one function into a single wrapper, whichever of them
//! expands first.
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
/// | `max_label_sets = N` | cardinality limit of this metric (default 1000, or [`business::set_default_max_label_sets`]) |
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
#[cfg(feature = "http")]
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
    CallOutcome, Format, InitError, RegistrationError, WatchError, init, register_collector,
    registry, render, render_metrics, snapshot,
};
pub use crate::core::{identity, model, native};
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use http::exporter::{Exporter, ServeError, router, serve};

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
