//! The hot path of a monitored call allocates nothing: handles are resolved once,
//! and a call only touches atomics. A counting global allocator checks it for sync
//! and async functions, successful and failing calls, with and without a span.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use monitor_runtime::monitored;
use monitor_tests::alloc_count::{CountingAllocator, allocations};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[monitored]
fn parse(input: &str) -> Result<u32, std::num::ParseIntError> {
    let value: u32 = input.parse()?;
    Ok(value)
}

#[monitored(span = false)]
fn untraced(x: u64) -> u64 {
    x + 1
}

#[monitored]
async fn fetch(x: u64) -> Result<u64, ()> {
    if x.is_multiple_of(2) { Ok(x) } else { Err(()) }
}

#[monitored(span = false)]
async fn fetch_untraced(x: u64) -> u64 {
    x
}

struct Service;

#[monitored]
impl Service {
    fn handle(&self, x: u64) -> u64 {
        x * 2
    }
}

fn poll_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future was expected to be ready"),
    }
}

fn run_every_kind(rounds: u64) -> u64 {
    let mut sum = 0;
    for i in 0..rounds {
        sum += u64::from(parse("12").unwrap());
        sum += u64::from(parse("x").is_err());
        sum += untraced(i);
        sum += poll_ready(fetch(i)).unwrap_or(1);
        sum += poll_ready(fetch_untraced(i));
        sum += Service.handle(i);
    }
    sum
}

#[test]
fn calls_allocate_nothing_once_registered() {
    monitor_runtime::init().unwrap();
    // The first call of each site resolves it (already done by `init`) and registers
    // the span callsites with `tracing`.
    run_every_kind(1);
    let mut sum = 0;
    let made = allocations(|| sum = run_every_kind(10_000));
    assert!(sum > 0);
    assert_eq!(made, 0, "allocations on the hot path");
    assert_eq!(
        monitor_tests::sample(
            "function_calls_total",
            &[("function", "parse"), ("result", "error")]
        ),
        Some(10_001.0)
    );
}

#[monitored]
async fn waits_forever() {
    std::future::pending::<()>().await;
}

/// Starts a call of `waits_forever`, then drops it: a cancellation.
fn cancel_one() {
    let mut future = pin!(waits_forever());
    assert!(
        future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    );
}

#[test]
fn cancelled_calls_are_timed_without_allocating() {
    monitor_runtime::init().unwrap();
    cancel_one();
    let made = allocations(|| (0..1_000).for_each(|_| cancel_one()));
    assert_eq!(made, 0, "allocations on the cancellation path");
    assert_eq!(
        monitor_tests::sample(
            "function_calls_cancelled_duration_seconds_count",
            &[("function", "waits_forever")]
        ),
        Some(1_001.0)
    );
}
