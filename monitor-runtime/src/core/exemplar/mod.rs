//! Exemplars: the trace of a call kept beside the bucket (or counter) it went into,
//! so that a latency spike on a chart links to a request that caused it.
//!
//! The runtime reads the trace of the current thread from one slot, which whatever
//! knows the trace fills: the tracing layer [`ContextLayer`] (feature `exemplars`),
//! which reads it from the current span, an HTTP layer that read `traceparent`, or
//! the application itself with [`enter`]. Until something fills it for the first time
//! a monitored call pays one relaxed load for exemplars, and a few instructions more
//! once it is in use and the call has no trace.
//!
//! A histogram keeps one exemplar per bucket, replaced at most once per
//! [`set_interval`] (1 s by default) by a later traced call that lands there. Only
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

mod context;
#[cfg(feature = "exemplars")]
mod layer;
#[cfg(feature = "opentelemetry")]
pub(crate) mod otel;
mod slot;
#[cfg(any(feature = "exemplars", feature = "logs"))]
pub(crate) mod spans;
pub(crate) mod w3c;

pub use context::{ContextGuard, TraceContext, current, enter};
pub(crate) use context::{current_sampled, in_use};
#[cfg(feature = "client")]
pub(crate) use context::{current_raw, current_tracestate};
#[cfg(any(feature = "http", feature = "client"))]
pub(crate) use context::Hex;
#[cfg(feature = "http")]
pub(crate) use context::swap_tracestate;
#[cfg(feature = "exemplars")]
#[cfg_attr(docsrs, doc(cfg(feature = "exemplars")))]
pub use layer::ContextLayer;
pub use slot::set_interval;
pub(crate) use slot::Slot;
#[cfg(any(feature = "http", feature = "client"))]
pub(crate) use slot::BucketExemplars;
