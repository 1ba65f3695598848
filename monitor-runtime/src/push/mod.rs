//! Metrics pushed out where a scrape cannot reach: to a Prometheus Pushgateway
//! (feature `push`) and by Prometheus remote-write (feature `remote-write`).
//!
//! - [`Pushgateway`] (feature `push`): the whole registry in the text format,
//!   `PUT` under a grouping key of `job`, `instance` and labels of yours, on an
//!   interval and at shutdown; the group deleted on a clean exit when asked. For
//!   short-lived jobs.
//! - [`RemoteWrite`] (feature `remote-write`): snapshots of the registry as
//!   protobuf `WriteRequest`s, snappy compressed, to VictoriaMetrics, Thanos
//!   Receive, Mimir or a Prometheus with its receiver enabled, on an interval and
//!   at shutdown, retried with backoff from a bounded buffer.
//!
//! Both label what they send with the [`identity`](crate::identity) of the
//! process (`job` is the service, `instance` the instance), as a scrape would.
//! Their own figures are `monitor_pushgateway_pushes_total` and
//! `monitor_remote_write_*`, at zero from start-up. A failure is logged and
//! counted, never raised on the service's path.
//!
//! Both are off by default:
//!
//! ```toml
//! monitor-runtime = { version = "0.1", features = ["remote-write"] }
//! ```
//!
//! For when each fits among scraping, federation and central stores, see
//! [the crate docs](crate#many-replicas).

mod client;
mod metrics;
#[cfg(feature = "remote-write")]
mod proto;
#[cfg(feature = "push")]
mod pushgateway;
#[cfg(feature = "remote-write")]
mod remote_write;

#[cfg(feature = "push")]
#[cfg_attr(docsrs, doc(cfg(feature = "push")))]
pub use pushgateway::{PushError, Pushgateway};
#[cfg(feature = "remote-write")]
#[cfg_attr(docsrs, doc(cfg(feature = "remote-write")))]
pub use remote_write::RemoteWrite;
