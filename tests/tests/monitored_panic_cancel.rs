//! Panics and dropped futures: a panic is `result="error"` and propagates with its
//! payload unchanged; a dropped future is counted in `function_calls_cancelled_total`
//! and timed in `function_calls_cancelled_duration_seconds`.
//! Either way the in-flight gauge comes back to zero.

use std::future::Future;
use std::panic::catch_unwind;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use monitor_runtime::monitored;
use monitor_tests::sample;

fn value(name: &str, function: &str, extra: &[(&str, &str)]) -> f64 {
    let mut labels = vec![("function", function)];
    labels.extend_from_slice(extra);
    sample(name, &labels).unwrap_or_else(|| panic!("no {name} series for {function}"))
}

fn calls(function: &str, result: &str) -> f64 {
    value("function_calls_total", function, &[("result", result)])
}

fn in_flight(function: &str) -> f64 {
    value("function_calls_concurrent", function, &[])
}

fn cancelled(function: &str) -> f64 {
    value("function_calls_cancelled_total", function, &[])
}

#[derive(Debug, PartialEq)]
struct Payload(u32);

#[monitored]
fn panics_with_payload(code: u32) -> Result<(), String> {
    if code > 0 {
        std::panic::panic_any(Payload(code));
    }
    Ok(())
}

#[test]
fn a_panic_is_an_error_restores_the_gauge_and_propagates_unchanged() {
    let payload = catch_unwind(|| panics_with_payload(42)).unwrap_err();
    assert_eq!(payload.downcast_ref::<Payload>(), Some(&Payload(42)));
    assert!(panics_with_payload(0).is_ok());
    assert_eq!(calls("panics_with_payload", "error"), 1.0);
    assert_eq!(calls("panics_with_payload", "ok"), 1.0);
    assert_eq!(in_flight("panics_with_payload"), 0.0);
    assert_eq!(
        value(
            "function_calls_duration_seconds_count",
            "panics_with_payload",
            &[]
        ),
        2.0,
        "a panicking call is timed too"
    );
}

#[monitored]
fn diverges(message: &'static str) -> ! {
    panic!("{message}")
}

#[test]
fn a_diverging_function_counts_its_panic() {
    let payload = catch_unwind(|| diverges("stop")).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("stop")
    );
    assert_eq!(calls("diverges", "error"), 1.0);
    assert_eq!(in_flight("diverges"), 0.0);
}

#[monitored]
async fn panics_when_polled(code: u32) -> u32 {
    tokio::task::yield_now().await;
    if code > 0 {
        std::panic::panic_any(Payload(code));
    }
    code
}

#[test]
fn a_panic_inside_an_async_call_is_an_error_not_a_cancellation() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let error = runtime
        .block_on(async { tokio::task::spawn(panics_when_polled(7)).await })
        .unwrap_err();
    assert!(error.is_panic());
    assert_eq!(
        error.into_panic().downcast_ref::<Payload>(),
        Some(&Payload(7))
    );
    assert_eq!(runtime.block_on(panics_when_polled(0)), 0);
    assert_eq!(calls("panics_when_polled", "error"), 1.0);
    assert_eq!(calls("panics_when_polled", "ok"), 1.0);
    assert_eq!(cancelled("panics_when_polled"), 0.0);
    assert_eq!(in_flight("panics_when_polled"), 0.0);
}

#[monitored]
async fn never_finishes() -> Result<(), String> {
    std::future::pending::<()>().await;
    Ok(())
}

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_dropped_future_is_counted_as_cancelled_and_restores_the_gauge() {
    {
        let mut future = pin!(never_finishes());
        assert!(poll_once(future.as_mut()).is_pending());
        assert_eq!(in_flight("never_finishes"), 1.0);
    }
    assert_eq!(in_flight("never_finishes"), 0.0);
    assert_eq!(cancelled("never_finishes"), 1.0);
    assert_eq!(calls("never_finishes", "ok"), 0.0);
    assert_eq!(calls("never_finishes", "error"), 0.0);

    // A future dropped before its first poll never started: nothing is counted.
    drop(never_finishes());
    assert_eq!(cancelled("never_finishes"), 1.0);
    assert_eq!(in_flight("never_finishes"), 0.0);
}

#[monitored]
fn slow_later() -> impl Future<Output = u32> {
    async {
        std::future::pending::<()>().await;
        1
    }
}

#[test]
fn a_dropped_impl_future_is_cancelled_too() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        tokio::select! {
            value = slow_later() => Some(value),
            () = tokio::task::yield_now() => None,
        }
    });
    assert_eq!(outcome, None);
    assert_eq!(cancelled("slow_later"), 1.0);
    assert_eq!(in_flight("slow_later"), 0.0);
}

#[monitored]
fn unfinished(_order: u32) -> Result<u32, String> {
    todo!()
}

#[test]
fn a_body_that_always_panics_compiles_cleanly_and_counts() {
    assert!(catch_unwind(|| unfinished(1)).is_err());
    assert_eq!(calls("unfinished", "error"), 1.0);
}

#[monitored]
async fn unfinished_async(_order: u32) -> Result<u32, String> {
    todo!()
}

#[test]
fn an_async_body_that_always_panics_compiles_cleanly_and_counts() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let error = runtime
        .block_on(async { tokio::task::spawn(unfinished_async(1)).await })
        .unwrap_err();
    assert!(error.is_panic());
    assert_eq!(calls("unfinished_async", "error"), 1.0);
    assert_eq!(cancelled("unfinished_async"), 0.0);
    assert_eq!(in_flight("unfinished_async"), 0.0);
}

#[monitored(buckets = [0.001, 1000.0])]
async fn cut_short() -> u32 {
    std::thread::sleep(std::time::Duration::from_millis(5));
    std::future::pending::<()>().await;
    1
}

#[test]
fn a_cancelled_call_is_timed_in_its_own_histogram() {
    {
        let mut future = pin!(cut_short());
        assert!(poll_once(future.as_mut()).is_pending());
    }
    assert_eq!(cancelled("cut_short"), 1.0);
    let histogram = |series: &str, extra: &[(&str, &str)]| {
        value(
            &format!("function_calls_cancelled_duration_seconds_{series}"),
            "cut_short",
            extra,
        )
    };
    assert_eq!(histogram("count", &[]), 1.0);
    // It ran at least 5 ms before it was dropped: past the first bucket.
    assert_eq!(histogram("bucket", &[("le", "0.001")]), 0.0);
    assert_eq!(histogram("bucket", &[("le", "1000")]), 1.0);
    assert!(histogram("sum", &[]) >= 0.005);
    // The finished calls' histogram is not touched.
    assert_eq!(
        value("function_calls_duration_seconds_count", "cut_short", &[]),
        0.0
    );
}
