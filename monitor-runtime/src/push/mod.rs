//! Metrics pushed out where a scrape cannot reach: to a Prometheus Pushgateway
//! (feature `push`), by Prometheus remote-write (feature `remote-write`) and over
//! OTLP to an OpenTelemetry collector (feature `otlp`).
//!
//! - [`Pushgateway`] (feature `push`): the whole registry in the text format,
//!   `PUT` under a grouping key of `job`, `instance` and labels of yours, on an
//!   interval and at shutdown; the group deleted on a clean exit when asked. For
//!   short-lived jobs.
//! - [`RemoteWrite`] (feature `remote-write`): snapshots of the registry as
//!   protobuf `WriteRequest`s, snappy compressed, to VictoriaMetrics, Thanos
//!   Receive, Mimir or a Prometheus with its receiver enabled, on an interval and
//!   at shutdown, retried with backoff from a bounded buffer.
//! - [`Otlp`] (feature `otlp`): the same snapshots as OTLP/HTTP protobuf
//!   `ExportMetricsServiceRequest`s to an OpenTelemetry collector (cumulative
//!   temporality, the Prometheus names unchanged), with remote-write's buffer,
//!   retries and flush at shutdown.
//!
//! The first two label what they send with the [`identity`](crate::identity) of
//! the process (`job` is the service, `instance` the instance), as a scrape would;
//! OTLP puts it in the resource (`service.name`, `service.instance.id`,
//! `service.version`). Their own figures are `monitor_pushgateway_pushes_total`,
//! `monitor_remote_write_*` and `monitor_otlp_*`, at zero from start-up. A failure
//! is logged and counted, never raised on the service's path.
//!
//! All are off by default:
//!
//! ```toml
//! monitor-runtime = { version = "0.1", features = ["remote-write"] }
//! ```
//!
//! For when each fits among scraping, federation and central stores, see
//! [the crate docs](crate#many-replicas).

mod client;
#[cfg(feature = "remote-write")]
mod delivery;
mod metrics;
#[cfg(feature = "otlp")]
mod otlp;
#[cfg(feature = "remote-write")]
mod proto;
#[cfg(feature = "push")]
mod pushgateway;
#[cfg(feature = "remote-write")]
mod remote_write;

#[cfg(feature = "otlp")]
#[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
pub use otlp::Otlp;
#[cfg(feature = "push")]
#[cfg_attr(docsrs, doc(cfg(feature = "push")))]
pub use pushgateway::{PushError, Pushgateway};
#[cfg(feature = "remote-write")]
#[cfg_attr(docsrs, doc(cfg(feature = "remote-write")))]
pub use remote_write::RemoteWrite;
