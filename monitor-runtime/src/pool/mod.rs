//! Connection pools: how full they are, how long callers wait for a connection.
//!
//! Watch a pool with one call, [`watch`], and acquire connections through the
//! [`WatchedPool`] it returns. Any pool fits through the [`ConnectionPool`] trait;
//! sqlx pools of every database implement it (feature `sqlx`).
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `db_client_connections` | gauge | `pool`, `state` | connections open, `state="idle"` or `"used"`, read from the pool at each scrape |
//! | `db_client_connections_max` | gauge | `pool` | the most connections the pool opens |
//! | `db_client_connection_pending_requests` | gauge | `pool` | acquisitions waiting for a connection now |
//! | `db_client_connection_waits_total` | counter | `pool` | acquisitions that found no idle connection and had to wait |
//! | `db_client_connection_timeouts_total` | counter | `pool` | acquisitions that gave up because the pool's acquire timeout passed |
//! | `db_client_connection_wait_time_seconds` | histogram | `pool` | time to obtain a connection (also for acquisitions that failed), in seconds |
//!
//! They follow OpenTelemetry's `db.client.connection.*` metrics in Prometheus form
//! (`db.client.connection.count` is `db_client_connections`: a gauge may not end in
//! `_count`). The gauges come from the pool itself, so they count every connection;
//! waits, timeouts, pending requests and wait time count the acquisitions made
//! through the [`WatchedPool`]. A pool stops being exposed when its last
//! `WatchedPool` clone is dropped.
//!
//! The ready-made health check of a pool is
//! [`health::PoolCheck`](crate::health::PoolCheck).
//!
//! ```
//! use std::future::Future;
//! use std::sync::Arc;
//! use monitor_runtime::pool::{self, ConnectionPool, PoolState};
//! use tokio::sync::{OwnedSemaphorePermit, Semaphore};
//!
//! /// A pool of four "connections": permits of a semaphore.
//! #[derive(Clone)]
//! struct Permits(Arc<Semaphore>);
//!
//! impl ConnectionPool for Permits {
//!     type Connection = OwnedSemaphorePermit;
//!     type Error = tokio::sync::AcquireError;
//!     fn state(&self) -> PoolState {
//!         let idle = self.0.available_permits() as u32;
//!         PoolState { size: 4, idle, max_size: 4 }
//!     }
//!     fn acquire(&self) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send {
//!         self.0.clone().acquire_owned()
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let pool = pool::watch("permits", Permits(Arc::new(Semaphore::new(4)))).unwrap();
//! let connection = pool.acquire().await.unwrap();
//! let exposition = monitor_runtime::render_metrics().unwrap();
//! assert!(exposition.contains(r#"db_client_connections{pool="permits",state="used"} 1"#));
//! assert!(exposition.contains(r#"db_client_connections{pool="permits",state="idle"} 3"#));
//! drop(connection);
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Instant;

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts};

use crate::core::{INITIALISERS, Initialiser, ignore_poison, raw_registry, report};

#[cfg(feature = "sqlx")]
mod sqlx_pool;

/// How many connections a pool holds, as it reports them.
///
/// ```
/// let state = monitor_runtime::pool::PoolState { size: 5, idle: 2, max_size: 10 };
/// assert_eq!(state.in_use(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolState {
    /// Connections open, idle or in use.
    pub size: u32,
    /// Open connections waiting in the pool.
    pub idle: u32,
    /// The most connections the pool opens.
    pub max_size: u32,
}

impl PoolState {
    /// Open connections handed out: `size - idle`.
    ///
    /// ```
    /// assert_eq!(monitor_runtime::pool::PoolState { size: 1, idle: 1, max_size: 1 }.in_use(), 0);
    /// ```
    pub fn in_use(&self) -> u32 {
        self.size.saturating_sub(self.idle)
    }
}

/// A pool of connections the runtime can watch: it reports its [`PoolState`] and
/// hands out connections. Implemented for sqlx's `Pool` of any database (feature
/// `sqlx`); for another pool (deadpool, bb8, ...) implement it in a few lines: for
/// deadpool, `state` reads `pool.status()` (`size`, `available`, `max_size`) and
/// `acquire` is `pool.get()`; for bb8, `pool.state()` (`connections`,
/// `idle_connections`) and `pool.get_owned()`.
///
/// See the [module](self) for an example.
pub trait ConnectionPool: Send + Sync + 'static {
    /// What [`acquire`](Self::acquire) hands out; giving it back is dropping it.
    type Connection: Send;
    /// Why an acquisition failed.
    type Error: fmt::Display + Send;

    /// The pool's counts now. Called at each scrape and before each acquisition:
    /// it must be cheap and must not block.
    fn state(&self) -> PoolState;

    /// Takes a connection, waiting for one when none is idle.
    fn acquire(&self) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send;

    /// Whether `error` means the pool's own acquire timeout passed (counted in
    /// `db_client_connection_timeouts_total`). `false` unless implemented.
    ///
    /// ```
    /// # use monitor_runtime::pool::{ConnectionPool, PoolState};
    /// # struct Never;
    /// # impl ConnectionPool for Never {
    /// #     type Connection = ();
    /// #     type Error = String;
    /// #     fn state(&self) -> PoolState { PoolState::default() }
    /// #     fn acquire(&self) -> impl std::future::Future<Output = Result<(), String>> + Send {
    /// #         async { Err("closed".to_owned()) }
    /// #     }
    /// # }
    /// assert!(!Never::is_timeout(&"closed".to_owned()));
    /// ```
    fn is_timeout(error: &Self::Error) -> bool {
        let _ = error;
        false
    }
}

/// Why a pool cannot be watched.
///
/// ```
/// use monitor_runtime::pool::PoolError;
/// assert!(PoolError::EmptyName.to_string().contains("name"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PoolError {
    /// The name is empty.
    EmptyName,
    /// Another watched pool has this name: its series would mix with this one's.
    Duplicate(String),
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::EmptyName => f.write_str("a watched pool needs a non-empty name"),
            PoolError::Duplicate(name) => write!(
                f,
                "a pool named `{name}` is already watched: give each pool its own name"
            ),
        }
    }
}

impl std::error::Error for PoolError {}

/// Starts exposing `pool` under the label `pool="name"` and returns it wrapped: a
/// [`WatchedPool`] derefs to the pool, and its [`acquire`](WatchedPool::acquire)
/// records waits and wait time.
///
/// ```
/// # use monitor_runtime::pool::{self, ConnectionPool, PoolState};
/// # #[derive(Clone)] struct Fake;
/// # impl ConnectionPool for Fake {
/// #     type Connection = ();
/// #     type Error = String;
/// #     fn state(&self) -> PoolState { PoolState { size: 2, idle: 2, max_size: 2 } }
/// #     fn acquire(&self) -> impl std::future::Future<Output = Result<(), String>> + Send { async { Ok(()) } }
/// # }
/// let watched = pool::watch("replica", Fake).unwrap();
/// assert!(matches!(pool::watch("replica", Fake), Err(pool::PoolError::Duplicate(_))));
/// drop(watched);
/// assert!(pool::watch("replica", Fake).is_ok()); // the name is free again
/// ```
///
/// # Errors
///
/// [`PoolError::EmptyName`], or [`PoolError::Duplicate`] while another pool of
/// that name is watched.
pub fn watch<P: ConnectionPool>(name: &str, pool: P) -> Result<WatchedPool<P>, PoolError> {
    if name.is_empty() {
        return Err(PoolError::EmptyName);
    }
    // The families are registered by the start-up of the registry.
    let _ = crate::core::registry();
    let families = families();
    let mut pools = ignore_poison(POOLS.lock());
    pools.retain(|entry| entry.strong_count() > 0);
    if pools
        .iter()
        .filter_map(Weak::upgrade)
        .any(|entry| entry.name() == name)
    {
        return Err(PoolError::Duplicate(name.to_owned()));
    }
    let watched = Arc::new(Watched {
        name: name.to_owned(),
        pending: families.pending.with_label_values(&[name]),
        waits: families.waits.with_label_values(&[name]),
        timeouts: families.timeouts.with_label_values(&[name]),
        wait_time: families.wait_time.with_label_values(&[name]),
        pool,
    });
    let entry: Arc<dyn Sampled> = watched.clone();
    pools.push(Arc::downgrade(&entry));
    drop(pools);
    Ok(WatchedPool { inner: watched })
}

/// A pool whose use is exposed; cheap to clone. Dereferences to the pool, so every
/// method of the pool stays at hand; acquire through [`WatchedPool::acquire`] to
/// have waits counted and timed.
pub struct WatchedPool<P: ConnectionPool> {
    inner: Arc<Watched<P>>,
}

impl<P: ConnectionPool> Clone for WatchedPool<P> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<P: ConnectionPool> fmt::Debug for WatchedPool<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WatchedPool")
            .field("name", &self.inner.name)
            .field("state", &self.inner.pool.state())
            .finish_non_exhaustive()
    }
}

impl<P: ConnectionPool> Deref for WatchedPool<P> {
    type Target = P;

    fn deref(&self) -> &P {
        &self.inner.pool
    }
}

impl<P: ConnectionPool> WatchedPool<P> {
    /// The name it is exposed under.
    ///
    /// ```
    /// # use monitor_runtime::pool::{self, ConnectionPool, PoolState};
    /// # struct Fake;
    /// # impl ConnectionPool for Fake {
    /// #     type Connection = ();
    /// #     type Error = String;
    /// #     fn state(&self) -> PoolState { PoolState::default() }
    /// #     fn acquire(&self) -> impl std::future::Future<Output = Result<(), String>> + Send { async { Ok(()) } }
    /// # }
    /// assert_eq!(pool::watch("named", Fake).unwrap().name(), "named");
    /// ```
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Takes a connection from the pool, counting a wait when none was idle, timing
    /// the acquisition, and counting a timeout when the pool gave up. A call whose
    /// future is dropped while it waits is timed and no longer pending.
    ///
    /// See the [module](self) for an example.
    ///
    /// # Errors
    ///
    /// The pool's error, unchanged.
    pub async fn acquire(&self) -> Result<P::Connection, P::Error> {
        let watched = &self.inner;
        if watched.pool.state().idle == 0 {
            watched.waits.inc();
        }
        let _pending = Pending::new(watched);
        let result = watched.pool.acquire().await;
        if let Err(error) = &result
            && P::is_timeout(error)
        {
            watched.timeouts.inc();
        }
        result
    }
}

/// Marks an acquisition pending and times it, until dropped.
struct Pending<'a> {
    pending: &'a prometheus::IntGauge,
    wait_time: &'a prometheus::Histogram,
    started: Instant,
}

impl<'a> Pending<'a> {
    fn new<P: ConnectionPool>(watched: &'a Watched<P>) -> Self {
        watched.pending.inc();
        Self {
            pending: &watched.pending,
            wait_time: &watched.wait_time,
            started: Instant::now(),
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.pending.dec();
        self.wait_time.observe(self.started.elapsed().as_secs_f64());
    }
}

struct Watched<P> {
    name: String,
    pending: prometheus::IntGauge,
    waits: prometheus::IntCounter,
    timeouts: prometheus::IntCounter,
    wait_time: prometheus::Histogram,
    pool: P,
}

/// A watched pool as the collector sees it, whatever its type.
trait Sampled: Send + Sync {
    fn name(&self) -> &str;
    fn sample(&self) -> PoolState;
}

impl<P: ConnectionPool> Sampled for Watched<P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn sample(&self) -> PoolState {
        self.pool.state()
    }
}

impl<P> Drop for Watched<P> {
    fn drop(&mut self) {
        // The pool is gone: so are its series.
        let families = families();
        let _ = families.pending.remove_label_values(&[&self.name]);
        let _ = families.waits.remove_label_values(&[&self.name]);
        let _ = families.timeouts.remove_label_values(&[&self.name]);
        let _ = families.wait_time.remove_label_values(&[&self.name]);
    }
}

static POOLS: Mutex<Vec<Weak<dyn Sampled>>> = Mutex::new(Vec::new());

struct Families {
    connections: IntGaugeVec,
    max: IntGaugeVec,
    pending: IntGaugeVec,
    waits: IntCounterVec,
    timeouts: IntCounterVec,
    wait_time: HistogramVec,
}

fn families() -> &'static Families {
    static FAMILIES: OnceLock<Families> = OnceLock::new();
    FAMILIES.get_or_init(|| {
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            IntGaugeVec::new(Opts::new(name, help), labels).expect("valid static metric options")
        };
        let counter = |name: &str, help: &str| {
            IntCounterVec::new(Opts::new(name, help), &["pool"])
                .expect("valid static metric options")
        };
        Families {
            connections: gauge(
                "db_client_connections",
                "Connections open in each watched pool, by state: idle or used.",
                &["pool", "state"],
            ),
            max: gauge(
                "db_client_connections_max",
                "The most connections each watched pool opens.",
                &["pool"],
            ),
            pending: gauge(
                "db_client_connection_pending_requests",
                "Acquisitions waiting for a connection of each watched pool.",
                &["pool"],
            ),
            waits: counter(
                "db_client_connection_waits_total",
                "Acquisitions that found no idle connection and had to wait.",
            ),
            timeouts: counter(
                "db_client_connection_timeouts_total",
                "Acquisitions that gave up when the pool's acquire timeout passed.",
            ),
            wait_time: HistogramVec::new(
                HistogramOpts::new(
                    "db_client_connection_wait_time_seconds",
                    "Time to obtain a connection from each watched pool, in seconds.",
                )
                .buckets(vec![
                    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0,
                ]),
                &["pool"],
            )
            .expect("valid static metric options"),
        }
    })
}

/// The sampled gauges: read from each live pool at collection time.
struct PoolCollector;

impl Collector for PoolCollector {
    fn desc(&self) -> Vec<&Desc> {
        let families = families();
        let mut descs = families.connections.desc();
        descs.extend(families.max.desc());
        descs
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let families = families();
        // Held to the end, so that concurrent collections do not interleave their
        // resets and sets.
        let pools = ignore_poison(POOLS.lock());
        let live: Vec<Arc<dyn Sampled>> = pools.iter().filter_map(Weak::upgrade).collect();
        families.connections.reset();
        families.max.reset();
        for pool in &live {
            let state = pool.sample();
            let name = pool.name();
            families
                .connections
                .with_label_values(&[name, "idle"])
                .set(i64::from(state.idle));
            families
                .connections
                .with_label_values(&[name, "used"])
                .set(i64::from(state.in_use()));
            families
                .max
                .with_label_values(&[name])
                .set(i64::from(state.max_size));
        }
        let mut collected = families.connections.collect();
        collected.extend(families.max.collect());
        drop(pools);
        // A pool whose last handle went meanwhile is dropped here, with no lock held.
        drop(live);
        collected
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    name: "pool",
    run: register_families,
};

fn register_families() {
    let families = families();
    let collectors: [Box<dyn Collector>; 5] = [
        Box::new(PoolCollector),
        Box::new(families.pending.clone()),
        Box::new(families.waits.clone()),
        Box::new(families.timeouts.clone()),
        Box::new(families.wait_time.clone()),
    ];
    for collector in collectors {
        if let Err(conflict) = raw_registry().register_as(
            collector,
            "the connection pool metrics",
            "the start-up of monitor_runtime::pool",
        ) {
            report(conflict.into_error("monitor_runtime::pool"));
        }
    }
}
