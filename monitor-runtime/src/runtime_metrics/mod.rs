//! The tokio runtime's own figures, from tokio's stable [`RuntimeMetrics`], read at
//! each scrape.
//!
//! [`watch`] the runtime once (from inside it, or with its [`Handle`]); every
//! snapshot of the figures (a scrape, [`snapshot`](crate::snapshot)) then samples
//! it:
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
//! The busy ratio is measured between two snapshots: the first one answers 0.
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

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

use crate::core::model::{Family, Kind, Labels, Value};
use crate::core::{
    Claim, INITIALISERS, Initialiser, Phase, Source, WatchError, add_source, ignore_poison, report,
};

/// Watches the current tokio runtime under `runtime="name"`: the one this is called
/// from, or the one entered with [`Runtime::enter`](tokio::runtime::Runtime::enter).
/// The runtime stays exposed as long as the program runs (it is not kept alive: one
/// shut down reports no workers and no tasks).
///
/// ```
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let _entered = runtime.enter();
/// monitor_runtime::runtime_metrics::watch("side").unwrap();
/// assert!(monitor_runtime::runtime_metrics::watch("side").is_err()); // the name is taken
/// assert!(monitor_runtime::render_metrics().unwrap().contains(r#"tokio_workers{runtime="side"} 1"#));
/// ```
///
/// # Errors
///
/// [`WatchError::NoRuntime`] outside a runtime, [`WatchError::EmptyName`], or
/// [`WatchError::Duplicate`] for a name already watched.
pub fn watch(name: &str) -> Result<(), WatchError> {
    let handle = Handle::try_current().map_err(|_| WatchError::NoRuntime)?;
    if name.is_empty() {
        return Err(WatchError::EmptyName { what: "runtime" });
    }
    // The families are claimed by the start-up of the registry.
    let _ = crate::core::registry();
    let mut names = ignore_poison(NAMES.lock());
    if names.iter().any(|watched| watched == name) {
        return Err(WatchError::Duplicate {
            what: "runtime",
            name: name.to_owned(),
        });
    }
    names.push(name.to_owned());
    // Watched for the life of the program: the source is never removed.
    let source: &'static WatchedRuntime = Box::leak(Box::new(WatchedRuntime::new(name, handle)));
    if let Err(conflict) = add_source(
        source,
        &CLAIMS,
        format!("the tokio runtime metrics of runtime `{name}`"),
        "monitor_runtime::runtime_metrics::watch",
    ) {
        report(conflict.into_error("monitor_runtime::runtime_metrics::watch"));
    }
    Ok(())
}

/// The names of the runtimes watched so far.
static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());

const WORKERS: &str = "tokio_workers";
const WORKERS_HELP: &str = "Worker threads of the tokio runtime.";
const ALIVE_TASKS: &str = "tokio_alive_tasks";
const ALIVE_TASKS_HELP: &str = "Tasks of the tokio runtime spawned and not finished.";
const QUEUE_DEPTH: &str = "tokio_global_queue_depth";
const QUEUE_DEPTH_HELP: &str = "Tasks waiting in the tokio runtime's global queue.";
const BUSY: &str = "tokio_worker_busy_seconds_total";
const BUSY_HELP: &str = "Time each worker of the tokio runtime spent busy, in seconds.";
const PARKS: &str = "tokio_worker_parks_total";
const PARKS_HELP: &str = "Times each worker of the tokio runtime parked (went idle).";
const BUSY_RATIO: &str = "tokio_workers_busy_ratio";
const BUSY_RATIO_HELP: &str =
    "Share of worker time the tokio runtime spent busy since the previous scrape (0 to 1).";

const CLAIMS: [Claim; 6] = [
    Claim::new(WORKERS, Kind::Gauge, WORKERS_HELP),
    Claim::new(ALIVE_TASKS, Kind::Gauge, ALIVE_TASKS_HELP),
    Claim::new(QUEUE_DEPTH, Kind::Gauge, QUEUE_DEPTH_HELP),
    Claim::new(BUSY, Kind::Counter, BUSY_HELP),
    Claim::new(PARKS, Kind::Counter, PARKS_HELP),
    Claim::new(BUSY_RATIO, Kind::Gauge, BUSY_RATIO_HELP),
];

/// One watched runtime: the source of its series.
struct WatchedRuntime {
    name: String,
    handle: Handle,
    /// `runtime`.
    labels: Labels,
    /// Held through a collection: one at a time measures the busy ratio.
    sampling: Mutex<Sampling>,
}

#[derive(Default)]
struct Sampling {
    /// The total busy time of all workers at the previous collection, and when.
    previous: Option<(Duration, Instant)>,
    /// The series of each worker, by index.
    workers: Vec<WorkerSeries>,
}

/// A worker's series: its labels, and the highest totals read from tokio so far (the
/// counters never go down).
struct WorkerSeries {
    /// `runtime` and `worker`.
    labels: Labels,
    busy: Duration,
    parks: u64,
}

impl WatchedRuntime {
    fn new(name: &str, handle: Handle) -> Self {
        Self {
            name: name.to_owned(),
            handle,
            labels: Labels::new([("runtime", name.to_owned())]),
            sampling: Mutex::new(Sampling::default()),
        }
    }
}

impl Source for WatchedRuntime {
    fn owner(&self, name: &str, labels: &[(&str, &str)]) -> Option<(String, String)> {
        let ours = CLAIMS.iter().any(|claim| claim.name == name)
            && labels
                .iter()
                .any(|(key, value)| *key == "runtime" && *value == self.name);
        ours.then(|| {
            (
                format!("the tokio runtime metrics of runtime `{}`", self.name),
                "monitor_runtime::runtime_metrics::watch".to_owned(),
            )
        })
    }

    fn collect(&self, out: &mut Vec<Family>) {
        let metrics = self.handle.metrics();
        let mut sampling = ignore_poison(self.sampling.lock());
        let workers = metrics.num_workers();
        let gauge = |name, help, value: usize| {
            let mut family = Family::new(name, help, Kind::Gauge);
            family.push(self.labels.clone(), Value::Gauge(value as f64));
            family
        };
        out.push(gauge(WORKERS, WORKERS_HELP, workers));
        out.push(gauge(
            ALIVE_TASKS,
            ALIVE_TASKS_HELP,
            metrics.num_alive_tasks(),
        ));
        out.push(gauge(
            QUEUE_DEPTH,
            QUEUE_DEPTH_HELP,
            metrics.global_queue_depth(),
        ));
        while sampling.workers.len() < workers {
            let worker = sampling.workers.len();
            sampling.workers.push(WorkerSeries {
                labels: self.labels.with("worker", worker.to_string()),
                busy: Duration::ZERO,
                parks: 0,
            });
        }
        let mut busy = Family::new(BUSY, BUSY_HELP, Kind::Counter);
        let mut parks = Family::new(PARKS, PARKS_HELP, Kind::Counter);
        let mut total_busy = Duration::ZERO;
        for (worker, series) in sampling.workers.iter_mut().enumerate() {
            if worker < workers {
                let busy_now = metrics.worker_total_busy_duration(worker);
                total_busy += busy_now;
                series.busy = series.busy.max(busy_now);
                series.parks = series.parks.max(metrics.worker_park_count(worker));
            }
            busy.push(
                series.labels.clone(),
                Value::counter(series.busy.as_secs_f64()),
            );
            parks.push(series.labels.clone(), Value::counter(series.parks as f64));
        }
        let now = Instant::now();
        let ratio = match sampling.previous {
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
        sampling.previous = Some((total_busy, now));
        drop(sampling);
        let mut busy_ratio = Family::new(BUSY_RATIO, BUSY_RATIO_HELP, Kind::Gauge);
        busy_ratio.push(self.labels.clone(), Value::Gauge(ratio));
        out.extend([busy, parks, busy_ratio]);
    }
}

/// Claims the families at start-up, before any runtime is watched (each watched
/// runtime adds a source of its series under the same claims); produces nothing.
struct Unwatched;

impl Source for Unwatched {
    fn collect(&self, _: &mut Vec<Family>) {}
}

#[linkme::distributed_slice(INITIALISERS)]
static INITIALISER: Initialiser = Initialiser {
    phase: Phase::Feature,
    name: "runtime_metrics",
    run: claim_families,
};

fn claim_families() {
    if let Err(conflict) = add_source(
        &Unwatched,
        &CLAIMS,
        "the tokio runtime metrics",
        "the start-up of monitor_runtime::runtime_metrics",
    ) {
        report(conflict.into_error("monitor_runtime::runtime_metrics"));
    }
}
