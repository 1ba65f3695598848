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
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{
    Claim, DurationHistogram, INITIALISERS, Initialiser, Phase, Source, WatchError, add_source,
    ignore_poison, report,
};

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
///
/// ```
/// const NAME: &str = "doc_trait_pool";
/// use monitor_runtime::pool::{self, ConnectionPool, PoolState, WatchedPool};
///
/// #[derive(Clone)]
/// struct Fake;
///
/// impl ConnectionPool for Fake {
///     type Connection = ();
///     type Error = String;
///     fn state(&self) -> PoolState { PoolState { size: 4, idle: 3, max_size: 10 } }
///     fn acquire(&self) -> impl std::future::Future<Output = Result<(), String>> + Send { async { Ok(()) } }
/// }
///
/// let watched: WatchedPool<Fake> = pool::watch(NAME, Fake).unwrap();
/// assert_eq!(watched.name(), NAME);
/// ```
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
/// assert!(matches!(pool::watch("replica", Fake), Err(monitor_runtime::WatchError::Duplicate { .. })));
/// drop(watched);
/// assert!(pool::watch("replica", Fake).is_ok()); // the name is free again
/// ```
///
/// # Errors
///
/// [`WatchError::EmptyName`], or [`WatchError::Duplicate`] while another pool of
/// that name is watched.
pub fn watch<P: ConnectionPool>(name: &str, pool: P) -> Result<WatchedPool<P>, WatchError> {
    if name.is_empty() {
        return Err(WatchError::EmptyName { what: "pool" });
    }
    // The families are claimed by the start-up of the registry.
    let _ = crate::core::registry();
    let mut pools = ignore_poison(POOLS.lock());
    pools.retain(|entry| entry.strong_count() > 0);
    if pools
        .iter()
        .filter_map(Weak::upgrade)
        .any(|entry| entry.name() == name)
    {
        return Err(WatchError::Duplicate {
            what: "pool",
            name: name.to_owned(),
        });
    }
    let watched = Arc::new(Watched {
        name: name.to_owned(),
        figures: PoolFigures::new(name),
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
///
/// ```
/// const NAME: &str = "doc_watched_pool";
/// use monitor_runtime::pool::{self, ConnectionPool, PoolState, WatchedPool};
///
/// #[derive(Clone)]
/// struct Fake;
///
/// impl ConnectionPool for Fake {
///     type Connection = ();
///     type Error = String;
///     fn state(&self) -> PoolState { PoolState { size: 4, idle: 3, max_size: 10 } }
///     fn acquire(&self) -> impl std::future::Future<Output = Result<(), String>> + Send { async { Ok(()) } }
/// }
///
/// let watched: WatchedPool<Fake> = pool::watch(NAME, Fake).unwrap();
/// assert_eq!(watched.name(), NAME);
/// ```
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
        let figures = &watched.figures;
        if watched.pool.state().idle == 0 {
            figures.waits.fetch_add(1, Ordering::Relaxed);
        }
        let _pending = Pending::new(figures);
        let result = watched.pool.acquire().await;
        if let Err(error) = &result
            && P::is_timeout(error)
        {
            figures.timeouts.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

/// Marks an acquisition pending and times it, until dropped.
struct Pending<'a> {
    figures: &'a PoolFigures,
    started: Instant,
}

impl<'a> Pending<'a> {
    fn new(figures: &'a PoolFigures) -> Self {
        figures.pending.fetch_add(1, Ordering::Relaxed);
        Self {
            figures,
            started: Instant::now(),
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.figures.pending.fetch_sub(1, Ordering::Relaxed);
        self.figures.wait_time.observe(self.started.elapsed());
    }
}

struct Watched<P> {
    name: String,
    figures: PoolFigures,
    pool: P,
}

/// What the acquisitions through a [`WatchedPool`] recorded, with the labels of
/// the pool's series, built once.
struct PoolFigures {
    /// `pool`.
    labels: Labels,
    /// `pool` and `state="idle"`, and `state="used"`.
    idle: Labels,
    used: Labels,
    pending: AtomicI64,
    waits: AtomicU64,
    timeouts: AtomicU64,
    wait_time: DurationHistogram,
}

impl PoolFigures {
    fn new(name: &str) -> Self {
        let labels = Labels::new([("pool", name.to_owned())]);
        Self {
            idle: labels.with("state", "idle"),
            used: labels.with("state", "used"),
            labels,
            pending: AtomicI64::new(0),
            waits: AtomicU64::new(0),
            timeouts: AtomicU64::new(0),
            wait_time: DurationHistogram::new(&WAIT_BOUNDS),
        }
    }
}

/// A watched pool as the source sees it, whatever its type.
trait Sampled: Send + Sync {
    fn name(&self) -> &str;
    fn sample(&self) -> PoolState;
    fn figures(&self) -> &PoolFigures;
}

impl<P: ConnectionPool> Sampled for Watched<P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn sample(&self) -> PoolState {
        self.pool.state()
    }

    fn figures(&self) -> &PoolFigures {
        &self.figures
    }
}

/// Every watched pool; a pool whose last handle is dropped is exposed no more.
static POOLS: Mutex<Vec<Weak<dyn Sampled>>> = Mutex::new(Vec::new());

const CONNECTIONS: &str = "db_client_connections";
const CONNECTIONS_HELP: &str = "Connections open in each watched pool, by state: idle or used.";
const MAX: &str = "db_client_connections_max";
const MAX_HELP: &str = "The most connections each watched pool opens.";
const PENDING: &str = "db_client_connection_pending_requests";
const PENDING_HELP: &str = "Acquisitions waiting for a connection of each watched pool.";
const WAITS: &str = "db_client_connection_waits_total";
const WAITS_HELP: &str = "Acquisitions that found no idle connection and had to wait.";
const TIMEOUTS: &str = "db_client_connection_timeouts_total";
const TIMEOUTS_HELP: &str = "Acquisitions that gave up when the pool's acquire timeout passed.";
const WAIT_TIME: &str = "db_client_connection_wait_time_seconds";
const WAIT_TIME_HELP: &str = "Time to obtain a connection from each watched pool, in seconds.";

const CLAIMS: [Claim; 6] = [
    Claim::new(CONNECTIONS, Kind::Gauge, CONNECTIONS_HELP),
    Claim::new(MAX, Kind::Gauge, MAX_HELP),
    Claim::new(PENDING, Kind::Gauge, PENDING_HELP),
    Claim::new(WAITS, Kind::Counter, WAITS_HELP),
    Claim::new(TIMEOUTS, Kind::Counter, TIMEOUTS_HELP),
    Claim::new(WAIT_TIME, Kind::Histogram, WAIT_TIME_HELP),
];

/// The bounds of `db_client_connection_wait_time_seconds`, from 100 µs to 30 s.
static WAIT_BOUNDS: [f64; 12] = [
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0,
];

/// The source of the pool families: the gauges read from each live pool at each
/// snapshot, and what its acquisitions recorded.
struct WatchedPools;

impl Source for WatchedPools {
    fn collect(&self, out: &mut Vec<Family>) {
        let mut live: Vec<Arc<dyn Sampled>> = ignore_poison(POOLS.lock())
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        // The pools' own code runs with no lock of ours held.
        live.sort_by(|a, b| a.name().cmp(b.name()));
        let mut connections = Family::new(CONNECTIONS, CONNECTIONS_HELP, Kind::Gauge);
        let mut max = Family::new(MAX, MAX_HELP, Kind::Gauge);
        let mut pending = Family::new(PENDING, PENDING_HELP, Kind::Gauge);
        let mut waits = Family::new(WAITS, WAITS_HELP, Kind::Counter);
        let mut timeouts = Family::new(TIMEOUTS, TIMEOUTS_HELP, Kind::Counter);
        let mut wait_time = Family::new(WAIT_TIME, WAIT_TIME_HELP, Kind::Histogram);
        for pool in &live {
            let state = pool.sample();
            let figures = pool.figures();
            let labels = &figures.labels;
            connections.push(figures.idle.clone(), Value::Gauge(f64::from(state.idle)));
            connections.push(
                figures.used.clone(),
                Value::Gauge(f64::from(state.in_use())),
            );
            max.push(labels.clone(), Value::Gauge(f64::from(state.max_size)));
            pending.push(
                labels.clone(),
                Value::Gauge(figures.pending.load(Ordering::Relaxed) as f64),
            );
            waits.push(
                labels.clone(),
                Value::counter(figures.waits.load(Ordering::Relaxed) as f64),
            );
            timeouts.push(
                labels.clone(),
                Value::counter(figures.timeouts.load(Ordering::Relaxed) as f64),
            );
            wait_time.push(labels.clone(), figures.wait_time.value());
        }
        out.extend([connections, max, pending, waits, timeouts, wait_time]);
        // A pool whose last handle went meanwhile is dropped here.
        drop(live);
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "pool",
    run: add_the_source,
};

fn add_the_source() {
    if let Err(conflict) = add_source(
        &WatchedPools,
        &CLAIMS,
        "the connection pool metrics",
        "the start-up of monitor_runtime::pool",
    ) {
        report(conflict.into_error("monitor_runtime::pool"));
    }
}
