//! # monitor
//!
//! Production monitoring from attributes. Write `#[monitored]` on a function and get
//! call, error, latency and in-flight metrics plus a tracing span; serve them to
//! Prometheus with one call.
//!
//! ```no_run
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
//! #[tokio::main]
//! async fn main() -> Result<(), monitor_runtime::ServeError> {
//!     reserve(3).unwrap();
//!     // GET http://127.0.0.1:9898/metrics now shows
//!     // function_calls_total{function="reserve",module="...",result="ok"} 1
//!     monitor_runtime::serve("127.0.0.1:9898").await
//! }
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
//!
//! A call returning a value whose type implements [`CallOutcome`] (every `Result`,
//! whatever alias spells it) is an error when [`CallOutcome::is_error`] says so. A
//! panic counts as `result="error"`, is timed, and propagates unchanged. A cancelled
//! async call (its future dropped before completion, for example the losing branch of
//! `tokio::select!` or a timed-out request) is neither `ok` nor `error`: it is counted
//! in `function_calls_cancelled_total` and not timed. In every case the in-flight gauge
//! is restored.
//!
//! Every series exists at zero from start-up: annotated functions are collected at
//! link time and registered on first access to the [`registry`] (or by [`init`]).
#![deny(missing_docs)]

pub use monitor_macros::monitored;

pub mod business;
mod exporter;
mod function;
mod outcome;
mod registry;

pub use exporter::{Exporter, ServeError, render_metrics, router, serve};
pub use outcome::CallOutcome;
pub use registry::{InitError, RegistrationError, init, registry};

#[doc(hidden)]
pub mod __private;
