//! Per-call cost of `#[monitored]` against a bare function and against hand-written
//! `prometheus` code doing the same updates with handles cached in statics.
//!
//! ```sh
//! cargo bench -p monitor-tests --bench monitored            # criterion: time per call
//! tests/benches/callgrind.sh                                # instructions per call
//! ```
//!
//! Every variant runs the same body (one in eight calls fails). Variants:
//!
//! | variant | what it does per call |
//! |---|---|
//! | `bare` | the body only |
//! | `hand` | body + gauge inc/dec, `Instant` timing, histogram observe, ok/error counter |
//! | `hand_span` | `hand` + an INFO span with `result`/`error` fields, entered around the body |
//! | `monitored_nospan` | `#[monitored(span = false)]` |
//! | `monitored` | `#[monitored]` (INFO span) |
//! | `instrument` | `#[tracing::instrument]` (INFO span, no metrics) |
//! | `monitored_native` | `#[monitored(native)]`: native buckets instead of classic ones |
//! | `monitored+exemplars_no_trace` | `#[monitored]` once a trace context was set (exemplars in use), in a call without one |
//! | `monitored+exemplars_in_trace` | `#[monitored]` in a sampled trace (the thread's context, as the HTTP layer or `ContextLayer` sets it): an exemplar offered to its bucket and counter, kept once a second |
//!
//! each in a sync and an async flavour (the async ones polled to completion with a
//! no-op waker). Without a subscriber the spans are created disabled, as in a
//! service that filters INFO out, and the span-off variants show the cost of the
//! metrics alone; the `+subscriber` variants run under `tracing_subscriber`'s
//! registry (installed as the thread's default while they are measured), so that
//! spans are really created, entered and recorded. The `threads2`
//! group runs some variants on two threads at once, calling the same function. The binary also takes `--callgrind VARIANT CALLS` to run one
//! variant `CALLS` times without criterion, for `valgrind --tool=callgrind`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use criterion::Criterion;
use monitor_runtime::monitored;
use prometheus::{Histogram, HistogramOpts, IntCounter, IntGauge, Opts};
use tracing::Instrument;

#[derive(Debug)]
pub struct Overflow;

/// The work every variant does.
#[inline(always)]
fn body(x: u64) -> Result<u64, Overflow> {
    if x % 8 == 7 {
        Err(Overflow)
    } else {
        Ok(x.wrapping_mul(3))
    }
}

#[inline(never)]
fn bare(x: u64) -> Result<u64, Overflow> {
    body(x)
}

#[inline(never)]
async fn bare_async(x: u64) -> Result<u64, Overflow> {
    body(x)
}

#[inline(never)]
#[monitored]
fn monitored_sync(x: u64) -> Result<u64, Overflow> {
    body(x)
}

#[inline(never)]
#[monitored(native)]
fn monitored_sync_native(x: u64) -> Result<u64, Overflow> {
    body(x)
}

#[inline(never)]
#[monitored(span = false)]
fn monitored_sync_nospan(x: u64) -> Result<u64, Overflow> {
    body(x)
}

/// `#[tracing::instrument]` on the same function: a span only, no metrics.
#[inline(never)]
#[tracing::instrument]
fn instrumented(x: u64) -> Result<u64, Overflow> {
    body(x)
}

#[inline(never)]
#[tracing::instrument]
async fn instrumented_async(x: u64) -> Result<u64, Overflow> {
    body(x)
}

#[inline(never)]
#[monitored]
async fn monitored_async(x: u64) -> Result<u64, Overflow> {
    body(x)
}

#[inline(never)]
#[monitored(span = false)]
async fn monitored_async_nospan(x: u64) -> Result<u64, Overflow> {
    body(x)
}

/// What a careful author writes by hand: handles created once, kept in a static.
struct Handles {
    ok: IntCounter,
    error: IntCounter,
    duration: Histogram,
    in_flight: IntGauge,
}

static HANDLES: LazyLock<Handles> = LazyLock::new(|| {
    let counter = |result: &str| {
        IntCounter::with_opts(
            Opts::new("hand_calls_total", "Calls.")
                .const_label("function", "hand")
                .const_label("result", result),
        )
        .unwrap()
    };
    Handles {
        ok: counter("ok"),
        error: counter("error"),
        duration: Histogram::with_opts(HistogramOpts::new(
            "hand_calls_duration_seconds",
            "Duration.",
        ))
        .unwrap(),
        in_flight: IntGauge::new("hand_calls_concurrent", "In flight.").unwrap(),
    }
});

#[inline(always)]
fn hand_finish<T, E>(handles: &Handles, start: Instant, result: &Result<T, E>) {
    handles.duration.observe(start.elapsed().as_secs_f64());
    if result.is_err() {
        handles.error.inc();
    } else {
        handles.ok.inc();
    }
    handles.in_flight.dec();
}

#[inline(never)]
fn hand(x: u64) -> Result<u64, Overflow> {
    let handles = &*HANDLES;
    handles.in_flight.inc();
    let start = Instant::now();
    let result = body(x);
    hand_finish(handles, start, &result);
    result
}

#[inline(never)]
fn hand_span(x: u64) -> Result<u64, Overflow> {
    let handles = &*HANDLES;
    handles.in_flight.inc();
    let span = tracing::info_span!(
        "hand_span",
        result = tracing::field::Empty,
        error = tracing::field::Empty
    );
    let start = Instant::now();
    let result = span.in_scope(|| body(x));
    if !span.is_disabled() {
        span.record("result", if result.is_err() { "error" } else { "ok" });
        if let Err(error) = &result {
            span.record("error", tracing::field::debug(error));
        }
    }
    hand_finish(handles, start, &result);
    result
}

#[inline(never)]
async fn hand_async(x: u64) -> Result<u64, Overflow> {
    let handles = &*HANDLES;
    handles.in_flight.inc();
    let start = Instant::now();
    let result = bare_async(x).await;
    hand_finish(handles, start, &result);
    result
}

#[inline(never)]
async fn hand_async_span(x: u64) -> Result<u64, Overflow> {
    let handles = &*HANDLES;
    handles.in_flight.inc();
    let span = tracing::info_span!(
        "hand_async_span",
        result = tracing::field::Empty,
        error = tracing::field::Empty
    );
    let start = Instant::now();
    let result = bare_async(x).instrument(span.clone()).await;
    if !span.is_disabled() {
        span.record("result", if result.is_err() { "error" } else { "ok" });
        if let Err(error) = &result {
            span.record("error", tracing::field::debug(error));
        }
    }
    hand_finish(handles, start, &result);
    result
}

/// Polls a future that never waits to completion.
#[inline(always)]
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// Every variant: name and one call with input `x`. A name ending in
/// `+subscriber` runs under a `tracing_subscriber::registry()`, so that its span is
/// enabled and recorded.
type Variant = (&'static str, fn(u64) -> bool);

const WITH_SUBSCRIBER: &str = "+subscriber";

const VARIANTS: &[Variant] = &[
    ("sync/bare", |x| bare(x).is_ok()),
    ("sync/hand", |x| hand(x).is_ok()),
    ("sync/hand_span", |x| hand_span(x).is_ok()),
    ("sync/monitored_nospan", |x| {
        monitored_sync_nospan(x).is_ok()
    }),
    ("sync/monitored", |x| monitored_sync(x).is_ok()),
    ("async/bare", |x| run(bare_async(x)).is_ok()),
    ("async/hand", |x| run(hand_async(x)).is_ok()),
    ("async/hand_span", |x| run(hand_async_span(x)).is_ok()),
    ("async/monitored_nospan", |x| {
        run(monitored_async_nospan(x)).is_ok()
    }),
    ("async/monitored", |x| run(monitored_async(x)).is_ok()),
    ("sync/instrument", |x| instrumented(x).is_ok()),
    ("async/instrument", |x| run(instrumented_async(x)).is_ok()),
    // Measured last (see `bench`).
    ("sync/hand_span+subscriber", |x| hand_span(x).is_ok()),
    ("sync/instrument+subscriber", |x| instrumented(x).is_ok()),
    ("sync/monitored+subscriber", |x| monitored_sync(x).is_ok()),
    ("async/hand_span+subscriber", |x| {
        run(hand_async_span(x)).is_ok()
    }),
    ("async/instrument+subscriber", |x| {
        run(instrumented_async(x)).is_ok()
    }),
    ("async/monitored+subscriber", |x| {
        run(monitored_async(x)).is_ok()
    }),
    // Measured last: once a trace context has been set, every monitored call checks
    // for one (see `bench`).
    ("sync/monitored_native", |x| {
        monitored_sync_native(x).is_ok()
    }),
    ("sync/monitored+exemplars_no_trace", |x| {
        monitored_sync(x).is_ok()
    }),
    ("async/monitored+exemplars_no_trace", |x| {
        run(monitored_async(x)).is_ok()
    }),
    ("sync/monitored+exemplars_in_trace", |x| {
        monitored_sync(x).is_ok()
    }),
    ("async/monitored+exemplars_in_trace", |x| {
        run(monitored_async(x)).is_ok()
    }),
];

/// The variants measured inside a trace (the thread's context set around them).
const IN_TRACE: &str = "+exemplars_in_trace";

/// Runs `f` in a sampled trace when the variant asks for one.
fn in_trace_if<R>(variant: &str, f: impl FnOnce() -> R) -> R {
    if variant.ends_with(IN_TRACE) {
        let context = monitor_runtime::exemplars::TraceContext::random();
        let _in_trace = monitor_runtime::exemplars::enter(context);
        f()
    } else {
        f()
    }
}

/// The variants that run after a trace context was set once (exemplars in use), in
/// none.
const EXEMPLARS_IN_USE: &str = "+exemplars_no_trace";

/// Sets a trace context once and leaves none, as an application with an exemplar
/// hook installed does between traced calls.
fn exemplars_in_use() {
    let context = monitor_runtime::exemplars::TraceContext::new(1, 1).expect("valid ids");
    drop(monitor_runtime::exemplars::enter(context));
}

/// Runs `f` under a subscriber when the variant asks for one.
fn with_subscriber_if<R>(variant: &str, f: impl FnOnce() -> R) -> R {
    if variant.ends_with(WITH_SUBSCRIBER) {
        tracing::subscriber::with_default(tracing_subscriber::registry(), f)
    } else {
        f()
    }
}

fn warm_up() {
    // Resolve every handle before measuring, as a running service has.
    monitor_runtime::init().expect("no registration problem");
    for (name, call) in VARIANTS {
        if !name.ends_with(WITH_SUBSCRIBER) {
            call(1);
        }
    }
}

fn bench(criterion: &mut Criterion) {
    // Every variant without a subscriber first, then those with one: once a scoped
    // subscriber has existed, tracing checks the thread's dispatcher on every span,
    // which would slow the variants measured after it. Those with exemplars in use
    // come last, for the same reason.
    for pass in 0..3 {
        if pass == 2 {
            exemplars_in_use();
        }
        for group_name in ["sync", "async"] {
            let mut group = criterion.benchmark_group(group_name);
            for (name, call) in VARIANTS {
                let variant_pass = if name.ends_with(WITH_SUBSCRIBER) {
                    1
                } else if name.ends_with(EXEMPLARS_IN_USE) || name.ends_with(IN_TRACE) {
                    2
                } else {
                    0
                };
                if variant_pass != pass {
                    continue;
                }
                let Some(name) = name
                    .strip_prefix(group_name)
                    .and_then(|n| n.strip_prefix('/'))
                else {
                    continue;
                };
                // The subscriber is the thread's default while the variant is
                // measured (criterion runs the routine on this thread).
                with_subscriber_if(name, || {
                    in_trace_if(name, || {
                        group.bench_function(name, |b| {
                            let mut x = 0u64;
                            b.iter(|| {
                                x = x.wrapping_add(1);
                                black_box(call(black_box(x)))
                            });
                        });
                    })
                });
            }
            group.finish();
        }
        if pass == 0 {
            two_threads(criterion);
        }
    }
}

/// Two threads calling the same function at once: time per call of each thread, so a
/// variant whose threads share no cache line shows its one-thread time.
fn two_threads(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("threads2");
    for name in TWO_THREADS {
        let Some((_, call)) = VARIANTS.iter().find(|(variant, _)| variant == name) else {
            continue;
        };
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                let start = std::sync::Barrier::new(2);
                std::thread::scope(|scope| {
                    let threads: Vec<_> = (0..2)
                        .map(|_| {
                            let start = &start;
                            scope.spawn(move || {
                                start.wait();
                                let began = Instant::now();
                                for x in 0..iters {
                                    black_box(call(black_box(x)));
                                }
                                began.elapsed()
                            })
                        })
                        .collect();
                    threads
                        .into_iter()
                        .map(|thread| thread.join().expect("the bench thread ran"))
                        .max()
                        .unwrap_or_default()
                })
            });
        });
    }
    group.finish();
}

/// The variants also measured on two threads at once.
const TWO_THREADS: &[&str] = &[
    "sync/bare",
    "sync/hand",
    "sync/monitored_nospan",
    "sync/monitored",
    "async/hand",
    "async/monitored_nospan",
    "async/monitored",
];

/// `--callgrind VARIANT CALLS`: calls one variant `CALLS` times, nothing else. Not
/// inlined, so that callgrind can count this function alone (`--toggle-collect`).
#[inline(never)]
fn callgrind(variant: &str, calls: u64) {
    let Some((_, call)) = VARIANTS.iter().find(|(name, _)| *name == variant) else {
        let names: Vec<&str> = VARIANTS.iter().map(|(name, _)| *name).collect();
        eprintln!("unknown variant `{variant}`; one of: {}", names.join(", "));
        std::process::exit(2);
    };
    if variant.ends_with(EXEMPLARS_IN_USE) {
        exemplars_in_use();
    }
    with_subscriber_if(variant, || {
        in_trace_if(variant, || {
            let mut failures = 0u64;
            for x in 0..calls {
                failures += u64::from(!call(black_box(x)));
            }
            black_box(failures);
        })
    });
}

fn main() {
    warm_up();
    let args: Vec<String> = std::env::args().collect();
    if let Some(index) = args.iter().position(|arg| arg == "--callgrind") {
        let variant = args.get(index + 1).map(String::as_str).unwrap_or("");
        let calls = args
            .get(index + 2)
            .and_then(|calls| calls.parse().ok())
            .unwrap_or(0);
        callgrind(variant, calls);
        return;
    }
    if args.iter().any(|arg| arg == "--list-variants") {
        for (name, _) in VARIANTS {
            println!("{name}");
        }
        return;
    }
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
