//! The tokio runtime's own figures, from tokio's stable [`RuntimeMetrics`], read at
//! each scrape.
//!
//! [`watch`] the runtime once (from inside it, or with its [`Handle`]); every
//! collection of the registry then samples it:
//!
//! | metric | type | labels | meaning |
//! |---|---|---|---|
//! | `tokio_workers` | gauge | `runtime` | worker threads of the runtime |
//! | `tokio_alive_tasks` | gauge | `runtime` | tasks spawned and not finished |
//! | `tokio_global_queue_depth` | gauge | `runtime` | tasks waiting in the runtime's global (injection) queue |
//! | `tokio_worker_busy_seconds_total` | counter | `runtime`, `worker` | time each worker spent busy (polling tasks) |
//! | `tokio_worker_parks_total` | counter | `runtime`, `worker` | times each worker parked (went idle) |
//! | `tokio_workers_busy_ratio` | gauge | `runtime` | share of worker time spent busy since the previous scrape, 0..1, averaged over the workers |
//!
//! The busy ratio is measured between two collections: the first one answers 0.
//! Over a longer window, PromQL gives it from the counter:
//! `sum by (runtime) (rate(tokio_worker_busy_seconds_total[5m])) / on (runtime) tokio_workers`.
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
//! monitor_runtime::runtime_metrics::watch("main").unwrap();
//! let exposition = monitor_runtime::render_metrics().unwrap();
//! assert!(exposition.contains(r#"tokio_workers{runtime="main"} 2"#));
//! # }
//! ```
//!
//! [`RuntimeMetrics`]: tokio::runtime::RuntimeMetrics

use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{CounterVec, GaugeVec, IntCounterVec, IntGaugeVec, Opts};
use tokio::runtime::Handle;

use crate::core::{INITIALISERS, Initialiser, ignore_poison, raw_registry, report};

/// Why a runtime cannot be watched.
///
/// ```
/// let error = monitor_runtime::runtime_metrics::watch("outside").unwrap_err();
/// assert_eq!(error, monitor_runtime::runtime_metrics::RuntimeMetricsError::NoRuntime);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeMetricsError {
    /// [`watch`] was called outside a tokio runtime.
    NoRuntime,
    /// The name is empty.
    EmptyName,
    /// A runtime of this name is watched already.
    Duplicate(String),
}

impl fmt::Display for RuntimeMetricsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoRuntime => f.write_str(
                "runtime_metrics::watch was called outside a tokio runtime: call it from inside one, or use watch_handle",
            ),
            Self::EmptyName => f.write_str("a watched runtime needs a non-empty name"),
            Self::Duplicate(name) => write!(f, "a runtime named `{name}` is watched already"),
        }
    }
}

impl std::error::Error for RuntimeMetricsError {}

/// Watches the current tokio runtime under `runtime="name"`.
///
/// # Errors
///
/// [`RuntimeMetricsError::NoRuntime`] outside a runtime, and as [`watch_handle`].
pub fn watch(name: &str) -> Result<(), RuntimeMetricsError> {
    let handle = Handle::try_current().map_err(|_| RuntimeMetricsError::NoRuntime)?;
    watch_handle(name, handle)
}

/// Watches the runtime of `handle` under `runtime="name"`. The runtime stays
/// exposed as long as the program runs (a handle does not keep a runtime alive:
/// one shut down reports no workers and no tasks).
///
/// ```
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// monitor_runtime::runtime_metrics::watch_handle("side", runtime.handle().clone()).unwrap();
/// assert!(monitor_runtime::runtime_metrics::watch_handle("side", runtime.handle().clone()).is_err());
/// assert!(monitor_runtime::render_metrics().unwrap().contains(r#"tokio_workers{runtime="side"} 1"#));
/// ```
///
/// # Errors
///
/// [`RuntimeMetricsError::EmptyName`], or [`RuntimeMetricsError::Duplicate`] for a
/// name already watched.
pub fn watch_handle(name: &str, handle: Handle) -> Result<(), RuntimeMetricsError> {
    if name.is_empty() {
        return Err(RuntimeMetricsError::EmptyName);
    }
    let _ = crate::core::registry();
    let mut runtimes = ignore_poison(RUNTIMES.lock());
    if runtimes.iter().any(|runtime| runtime.name == name) {
        return Err(RuntimeMetricsError::Duplicate(name.to_owned()));
    }
    runtimes.push(Watched {
        name: name.to_owned(),
        handle,
        previous: None,
    });
    Ok(())
}

struct Watched {
    name: String,
    handle: Handle,
    /// The total busy time of all workers at the previous collection, and when.
    previous: Option<(Duration, Instant)>,
}

static RUNTIMES: Mutex<Vec<Watched>> = Mutex::new(Vec::new());

struct Families {
    workers: IntGaugeVec,
    alive_tasks: IntGaugeVec,
    global_queue_depth: IntGaugeVec,
    busy: CounterVec,
    parks: IntCounterVec,
    busy_ratio: GaugeVec,
}

fn families() -> &'static Families {
    static FAMILIES: OnceLock<Families> = OnceLock::new();
    FAMILIES.get_or_init(|| {
        let gauge = |name: &str, help: &str| {
            IntGaugeVec::new(Opts::new(name, help), &["runtime"])
                .expect("valid static metric options")
        };
        Families {
            workers: gauge("tokio_workers", "Worker threads of the tokio runtime."),
            alive_tasks: gauge(
                "tokio_alive_tasks",
                "Tasks of the tokio runtime spawned and not finished.",
            ),
            global_queue_depth: gauge(
                "tokio_global_queue_depth",
                "Tasks waiting in the tokio runtime's global queue.",
            ),
            busy: CounterVec::new(
                Opts::new(
                    "tokio_worker_busy_seconds_total",
                    "Time each worker of the tokio runtime spent busy, in seconds.",
                ),
                &["runtime", "worker"],
            )
            .expect("valid static metric options"),
            parks: IntCounterVec::new(
                Opts::new(
                    "tokio_worker_parks_total",
                    "Times each worker of the tokio runtime parked (went idle).",
                ),
                &["runtime", "worker"],
            )
            .expect("valid static metric options"),
            busy_ratio: GaugeVec::new(
                Opts::new(
                    "tokio_workers_busy_ratio",
                    "Share of worker time the tokio runtime spent busy since the previous scrape (0 to 1).",
                ),
                &["runtime"],
            )
            .expect("valid static metric options"),
        }
    })
}

/// Samples every watched runtime at collection time.
struct RuntimeCollector;

impl Collector for RuntimeCollector {
    fn desc(&self) -> Vec<&Desc> {
        let f = families();
        let mut descs = f.workers.desc();
        descs.extend(f.alive_tasks.desc());
        descs.extend(f.global_queue_depth.desc());
        descs.extend(f.busy.desc());
        descs.extend(f.parks.desc());
        descs.extend(f.busy_ratio.desc());
        descs
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let f = families();
        let mut runtimes = ignore_poison(RUNTIMES.lock());
        for runtime in runtimes.iter_mut() {
            let metrics = runtime.handle.metrics();
            let name = runtime.name.as_str();
            let workers = metrics.num_workers();
            f.workers.with_label_values(&[name]).set(as_i64(workers));
            f.alive_tasks
                .with_label_values(&[name])
                .set(as_i64(metrics.num_alive_tasks()));
            f.global_queue_depth
                .with_label_values(&[name])
                .set(as_i64(metrics.global_queue_depth()));
            let mut total_busy = Duration::ZERO;
            for worker in 0..workers {
                let label = worker.to_string();
                let busy = metrics.worker_total_busy_duration(worker);
                total_busy += busy;
                set_counter(
                    &f.busy.with_label_values(&[name, &label]),
                    busy.as_secs_f64(),
                );
                let parks = f.parks.with_label_values(&[name, &label]);
                parks.inc_by(
                    metrics
                        .worker_park_count(worker)
                        .saturating_sub(parks.get()),
                );
            }
            let now = Instant::now();
            let ratio = match runtime.previous {
                Some((busy_before, at)) if workers > 0 => {
                    let wall = now.duration_since(at).as_secs_f64() * workers as f64;
                    let busy = total_busy.saturating_sub(busy_before).as_secs_f64();
                    if wall > 0.0 {
                        (busy / wall).clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                }
                _ => 0.0,
            };
            runtime.previous = Some((total_busy, now));
            f.busy_ratio.with_label_values(&[name]).set(ratio);
        }
        let mut collected = f.workers.collect();
        collected.extend(f.alive_tasks.collect());
        collected.extend(f.global_queue_depth.collect());
        collected.extend(f.busy.collect());
        collected.extend(f.parks.collect());
        collected.extend(f.busy_ratio.collect());
        // Held to here: one collection at a time measures the busy ratio.
        drop(runtimes);
        collected
    }
}

fn as_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Moves a counter up to `total`, a running total read from tokio (which only grows).
fn set_counter(counter: &prometheus::Counter, total: f64) {
    let step = total - counter.get();
    if step > 0.0 {
        counter.inc_by(step);
    }
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    name: "runtime_metrics",
    run: register_collector,
};

fn register_collector() {
    if let Err(conflict) = raw_registry().register_as(
        Box::new(RuntimeCollector),
        "the tokio runtime metrics",
        "the start-up of monitor_runtime::runtime_metrics",
    ) {
        report(conflict.into_error("monitor_runtime::runtime_metrics"));
    }
}
