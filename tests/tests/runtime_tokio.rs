//! The tokio runtime's metrics, sampled at scrape time, change as tasks are
//! spawned and finish, as work queues up, and as workers get busy.
//!
//! The tests of this binary run one at a time: the busy ratio of a runtime covers
//! the time since the previous scrape, and a scrape by another test would take that
//! window.

use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};

use monitor_runtime::{WatchError, runtime_metrics};
use monitor_tests::{find, parse_samples, sample, wait};

fn gauge(name: &str, runtime: &str) -> f64 {
    sample(name, &[("runtime", runtime)]).unwrap_or(-1.0)
}

/// Held by each test while it runs: no other test scrapes meanwhile.
fn alone() -> MutexGuard<'static, ()> {
    static SCRAPES: Mutex<()> = Mutex::new(());
    SCRAPES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits (bounded) until `name` of `runtime` reads `expected`: a task counts as
/// alive until the runtime released it, a moment after its join handle resolved.
fn settle(name: &str, runtime: &str, expected: f64) {
    let last = wait::until(|| gauge(name, runtime), |value| *value == expected);
    assert_eq!(last, expected, "{name}");
}

#[test]
fn alive_tasks_follow_spawns_and_finishes() {
    let _alone = alone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async { runtime_metrics::watch("tasks").unwrap() });
    assert_eq!(gauge("tokio_workers", "tasks"), 2.0);
    settle("tokio_alive_tasks", "tasks", 0.0);

    let (release, released) = tokio::sync::watch::channel(false);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let mut released = released.clone();
            runtime.spawn(async move {
                let _ = released.wait_for(|go| *go).await;
            })
        })
        .collect();
    assert_eq!(gauge("tokio_alive_tasks", "tasks"), 10.0);

    release.send(true).unwrap();
    runtime.block_on(async {
        for task in tasks {
            task.await.unwrap();
        }
    });
    settle("tokio_alive_tasks", "tasks", 0.0);
}

#[test]
fn the_global_queue_fills_while_the_worker_is_blocked() {
    let _alone = alone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async { runtime_metrics::watch("queue").unwrap() });
    let (unblock, blocked) = mpsc::channel::<()>();
    let (started, has_started) = mpsc::channel::<()>();
    // The only worker is held by a task that blocks its thread.
    let blocker = runtime.spawn(async move {
        started.send(()).unwrap();
        blocked.recv().unwrap();
    });
    has_started.recv().unwrap();
    // Spawned from outside the runtime, tasks wait in the global queue.
    let queued: Vec<_> = (0..5).map(|_| runtime.spawn(async {})).collect();
    assert_eq!(gauge("tokio_global_queue_depth", "queue"), 5.0);
    assert_eq!(gauge("tokio_alive_tasks", "queue"), 6.0);

    unblock.send(()).unwrap();
    runtime.block_on(async {
        blocker.await.unwrap();
        for task in queued {
            task.await.unwrap();
        }
    });
    assert_eq!(gauge("tokio_global_queue_depth", "queue"), 0.0);
    settle("tokio_alive_tasks", "queue", 0.0);
}

#[test]
fn busy_time_and_ratio_grow_with_work() {
    let _alone = alone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async { runtime_metrics::watch("busy").unwrap() });
    // One scrape: the busy time of both workers, the ratio since the scrape before,
    // and the parks of worker 0.
    let scrape = || {
        let samples = parse_samples(&monitor_runtime::render_metrics().unwrap());
        let busy: f64 = (0..2)
            .map(|worker| {
                find(
                    &samples,
                    "tokio_worker_busy_seconds_total",
                    &[("runtime", "busy"), ("worker", &worker.to_string())],
                )
                .unwrap()
            })
            .sum();
        let ratio = find(&samples, "tokio_workers_busy_ratio", &[("runtime", "busy")]).unwrap();
        let parks = find(
            &samples,
            "tokio_worker_parks_total",
            &[("runtime", "busy"), ("worker", "0")],
        );
        (busy, ratio, parks)
    };
    let (before, first_ratio, _) = scrape();
    // The first collection has nothing to compare with.
    assert_eq!(first_ratio, 0.0);

    // Two tasks keep the workers busy (a bounded loop).
    let work: Vec<_> = (0..2)
        .map(|_| {
            runtime.spawn(async {
                let mut spins = 0u64;
                for _ in 0..50_000_000u64 {
                    spins = std::hint::black_box(spins + 1);
                }
                spins
            })
        })
        .collect();
    runtime.block_on(async {
        for task in work {
            assert_eq!(task.await.unwrap(), 50_000_000);
        }
    });
    // tokio adds a worker's busy time when it runs out of tasks, and counts a park
    // when it parks: a moment after the tasks finished, later still on a loaded
    // machine. The scrape that first sees the busy time has a ratio above 0 (the
    // ratio of each later one covers only the time since the one before): the
    // highest ratio seen is kept.
    let mut highest_ratio = 0.0_f64;
    let (after, ratio, parks) = wait::until(
        || {
            let (busy, ratio, parks) = scrape();
            highest_ratio = highest_ratio.max(ratio);
            (busy, highest_ratio, parks)
        },
        |(after, ratio, parks)| {
            *after > before && *ratio > 0.0 && parks.is_some_and(|parks| parks >= 1.0)
        },
    );
    assert!(after > before, "busy time did not grow: {before} → {after}");
    assert!(ratio > 0.0 && ratio <= 1.0, "busy ratio {ratio}");
    assert!(parks.is_some_and(|parks| parks >= 1.0), "{parks:?}");
}

#[test]
fn watching_needs_a_runtime_and_a_free_name() {
    let _alone = alone();
    assert_eq!(
        runtime_metrics::watch("nowhere"),
        Err(WatchError::NoRuntime)
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        runtime_metrics::watch("current").unwrap();
        assert_eq!(
            runtime_metrics::watch("current"),
            Err(WatchError::Duplicate {
                what: "runtime",
                name: "current".to_owned()
            })
        );
    });
    assert_eq!(gauge("tokio_workers", "current"), 1.0);
}
