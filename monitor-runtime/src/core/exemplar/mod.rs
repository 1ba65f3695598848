//! Traces and exemplars: the trace a call runs in, carried by requests (W3C Trace
//! Context), spans, logs and the exemplars kept beside the bucket (or counter) a call
//! went into, so that a latency spike on a chart links to a request that caused it.
//!
//! The runtime reads the trace of the current thread from one slot, which whatever
//! knows the trace fills: the HTTP server layer, which runs each request in the trace
//! its `traceparent` names (or a new one, see
//! [`HttpMetricsLayer`](crate::http::HttpMetricsLayer#traces)); the tracing layer
//! [`ContextLayer`] (feature `exemplars`), which reads it from the current span; or
//! the application itself with [`enter`]. The client layer
//! ([`client`](crate::client#traces)) sends it on. Until something fills it for the
//! first time a monitored call pays one relaxed load for exemplars, and a few
//! instructions more once it is in use and the call has no trace.
//!
//! A histogram keeps one exemplar per bucket, of sampled traces only, replaced at
//! most once per [`set_interval`] (1 s by default) by a later traced call that
//! lands there (a call in a trace compares one clock reading with the slot's). Only
//! OpenMetrics and the protobuf format carry exemplars (Prometheus stores them with
//! `--enable-feature=exemplar-storage`); their labels are `trace_id` (32 hex digits)
//! and `span_id` (16), well within OpenMetrics' limit of 128 characters.
//!
//! ```
//! use monitor_runtime::exemplars::{self, TraceContext};
//!
//! #[monitor_runtime::monitored]
//! fn charge() {}
//!
//! let trace = TraceContext::new(0x4bf92f3577b34da6a3ce929d0e0e4736, 0x00f067aa0ba902b7).unwrap();
//! {
//!     let _in_trace = exemplars::enter(trace);
//!     charge();
//! }
//! let text = String::from_utf8(monitor_runtime::render(monitor_runtime::Format::OpenMetrics)).unwrap();
//! assert!(text.contains(r#"# {span_id="00f067aa0ba902b7",trace_id="4bf92f3577b34da6a3ce929d0e0e4736"}"#));
//! ```
//!
//! # One id everywhere
//!
//! The ids of a span are settled once and shared by whatever needs them:
//! [`ContextLayer`] (so exemplars carry them), the JSON logs
//! ([`logs`](crate::logs), `trace_id`/`span_id` on every line), the spans of the HTTP
//! layers (their `trace_id`/`span_id` fields) and the `traceparent` the client layer
//! sends. Without OpenTelemetry they are ours: random, W3C-valid, a new span id for
//! each span in its parent's trace. With `tracing-opentelemetry` installed and the
//! feature `opentelemetry`, they are OpenTelemetry's, the ones its exporter sends: the
//! server span's parent is the incoming `traceparent` in OpenTelemetry's terms, and
//! every other span's ids are read from OpenTelemetry when it is first entered.
//!
//! # Traces over OTLP
//!
//! Our spans (the server's, `#[monitored]` calls', the client's) reach an
//! OpenTelemetry collector through `tracing-opentelemetry` and `opentelemetry-otlp`,
//! with the feature `opentelemetry` on; the OpenTelemetry layer goes first, so that
//! the layers after it read its ids. This recipe is the one the end-to-end test's
//! two services run (`tests/src/bin/trace_service.rs` in the repository), their
//! spans decoded by OpenTelemetry's own protocol definitions in one trace:
//!
//! ```toml
//! monitor-runtime = { version = "0.1", features = ["client", "logs", "exemplars", "opentelemetry"] }
//! tracing-subscriber = { version = "0.3", default-features = false, features = ["registry", "std"] }
//! opentelemetry = { version = "0.33", default-features = false, features = ["trace"] }
//! opentelemetry_sdk = { version = "0.33", default-features = false, features = ["trace"] }
//! # The blocking client: the SDK's batch processor exports from a thread of its own,
//! # outside any tokio runtime. Without TLS features, no OpenSSL.
//! opentelemetry-otlp = { version = "0.33", default-features = false, features = ["http-proto", "trace", "reqwest-blocking-client"] }
//! tracing-opentelemetry = { version = "0.34", default-features = false }
//! ```
//!
//! ```text
//! use opentelemetry::{KeyValue, trace::TracerProvider as _};
//! use opentelemetry_otlp::WithExportConfig as _;
//! use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
//! use tracing_subscriber::{Layer as _, filter::LevelFilter, layer::SubscriberExt, util::SubscriberInitExt};
//!
//! let exporter = opentelemetry_otlp::SpanExporter::builder()
//!     .with_http()
//!     .with_endpoint("http://collector:4318/v1/traces") // as given: with /v1/traces
//!     .build()?;
//! let identity = monitor_runtime::identity::current(); // the names of target_info
//! let provider = SdkTracerProvider::builder()
//!     .with_batch_exporter(exporter)
//!     .with_resource(
//!         Resource::builder()
//!             .with_service_name(identity.service().to_owned())
//!             .with_attribute(KeyValue::new("service.instance.id", identity.instance_id().to_owned()))
//!             .build(),
//!     )
//!     .build();
//! tracing_subscriber::registry()
//!     // First: OpenTelemetry's spans and ids (INFO: not every library's debug events) ...
//!     .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("shop")).with_filter(LevelFilter::INFO))
//!     // ... which exemplars carry ...
//!     .with(monitor_runtime::exemplars::ContextLayer::new())
//!     // ... and the JSON logs write.
//!     .with(monitor_runtime::logs::layer()?)
//!     .init();
//! let app = Router::new()
//!     .route("/checkout", get(checkout))
//!     .merge(monitor_runtime::router())
//!     .layer(monitor_runtime::http::HttpMetricsLayer::new()); // last: every route
//! let client = tower::ServiceBuilder::new()
//!     .layer(monitor_runtime::client::HttpClientMetricsLayer::new())
//!     .service(hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http());
//! // ... serve until shutdown, then send the spans left:
//! tokio::task::spawn_blocking(move || provider.shutdown()).await??;
//! ```

mod context;
#[cfg(feature = "exemplars")]
mod layer;
#[cfg(feature = "opentelemetry")]
pub(crate) mod otel;
mod slot;
#[cfg(any(feature = "http", feature = "client"))]
pub(crate) mod span_ids;
#[cfg(any(feature = "exemplars", feature = "logs"))]
pub(crate) mod spans;
pub(crate) mod w3c;

#[cfg(any(feature = "http", feature = "client"))]
pub(crate) use context::current_raw;
#[cfg(feature = "client")]
pub(crate) use context::current_tracestate;
#[cfg(feature = "http")]
pub(crate) use context::swap_tracestate;
pub use context::{ContextGuard, TraceContext, current, enter};
pub(crate) use context::{current_sampled, in_sampled_trace, in_use, spans_enabled};
#[cfg(feature = "exemplars")]
#[cfg_attr(docsrs, doc(cfg(feature = "exemplars")))]
pub use layer::ContextLayer;
#[cfg(any(feature = "http", feature = "client"))]
pub(crate) use slot::BucketExemplars;
pub(crate) use slot::Slot;
pub use slot::set_interval;
