//! With a subscriber that enables the span, a monitored call still allocates nothing
//! of its own: the span is created, entered, recorded (result and error) and closed
//! through `tracing_subscriber`'s registry, which reuses its slots once warm.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use monitor_runtime::monitored;
use monitor_tests::alloc_count::{CountingAllocator, allocations};
use tracing_subscriber::layer::SubscriberExt;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Debug)]
struct Refused;

#[monitored]
fn check(x: u64) -> Result<u64, Refused> {
    if x % 4 == 3 { Err(Refused) } else { Ok(x) }
}

#[monitored]
async fn fetch(x: u64) -> Result<u64, Refused> {
    if x % 4 == 3 { Err(Refused) } else { Ok(x) }
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

/// Counts the spans the subscriber saw created, to prove they were enabled.
#[derive(Default)]
struct SpanCount(std::sync::atomic::AtomicUsize);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for &'static SpanCount {
    fn on_new_span(
        &self,
        _: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

fn run(rounds: u64) -> u64 {
    let mut sum = 0;
    for i in 0..rounds {
        sum += check(i).unwrap_or(1);
        sum += poll_ready(fetch(i)).unwrap_or(1);
    }
    sum
}

#[test]
fn calls_with_an_enabled_span_allocate_nothing() {
    monitor_runtime::init().unwrap();
    static SPANS: SpanCount = SpanCount(std::sync::atomic::AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(&SPANS);
    tracing::subscriber::with_default(subscriber, || {
        // Warm: the callsites register and the registry fills its first slots.
        run(16);
        let mut sum = 0;
        let made = allocations(|| sum = run(10_000));
        assert!(sum > 0);
        assert_eq!(made, 0, "allocations with an enabled span");
    });
    assert_eq!(
        SPANS.0.load(std::sync::atomic::Ordering::Relaxed),
        2 * 10_016,
        "every call's span was enabled"
    );
    assert_eq!(
        monitor_tests::sample(
            "function_calls_total",
            &[("function", "check"), ("result", "error")]
        ),
        Some(2_504.0)
    );
}
