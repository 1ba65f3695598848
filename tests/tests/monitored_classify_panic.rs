//! A panic raised after an async body completed, while its result is classified
//! (a `CallOutcome::is_error` that panics) or recorded on the span (an error whose
//! `Display` panics), is the call's panic: it counts as `result="error"`, is timed,
//! and is not a cancellation.

use std::fmt;
use std::panic::AssertUnwindSafe;

use monitor_runtime::{CallOutcome, monitored};
use monitor_tests::sample;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// Drives a future to completion on this thread.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

pub struct Verdict;

impl CallOutcome for Verdict {
    fn is_error(&self) -> bool {
        panic!("the classifier is broken")
    }
}

#[monitored]
async fn classified_by_a_panicking_impl() -> Verdict {
    tokio::task::yield_now().await;
    Verdict
}

#[derive(Debug)]
pub struct Unprintable;

impl fmt::Display for Unprintable {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("cannot print this error")
    }
}

#[monitored]
async fn fails_with_an_unprintable_error() -> Result<(), Unprintable> {
    tokio::task::yield_now().await;
    Err(Unprintable)
}

/// Formats every recorded field, as a formatting layer would.
struct Formatting;

struct Format;

impl Visit for Format {
    fn record_debug(&mut self, _: &Field, value: &dyn fmt::Debug) {
        let _ = format!("{value:?}");
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Formatting {
    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: Context<'_, S>,
    ) {
        values.record(&mut Format);
    }
}

fn series(function: &str, metric: &str, result: Option<&str>) -> f64 {
    let mut labels = vec![("function", function)];
    labels.extend(result.map(|result| ("result", result)));
    sample(metric, &labels).unwrap_or_else(|| panic!("{metric} of {function}"))
}

fn assert_counted_as_an_error(function: &str) {
    assert_eq!(series(function, "function_calls_total", Some("error")), 1.0);
    assert_eq!(series(function, "function_calls_total", Some("ok")), 0.0);
    assert_eq!(
        series(function, "function_calls_cancelled_total", None),
        0.0
    );
    assert_eq!(
        series(function, "function_calls_duration_seconds_count", None),
        1.0
    );
    assert_eq!(series(function, "function_calls_concurrent", None), 0.0);
}

#[test]
fn a_panicking_classification_is_an_error_not_a_cancellation() {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        block_on(classified_by_a_panicking_impl())
    }));
    assert!(outcome.is_err(), "the panic propagates");
    assert_counted_as_an_error("classified_by_a_panicking_impl");
}

#[test]
fn a_panicking_error_display_is_an_error_not_a_cancellation() {
    let subscriber = tracing_subscriber::registry().with(Formatting);
    let outcome = tracing::subscriber::with_default(subscriber, || {
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            block_on(fails_with_an_unprintable_error())
        }))
    });
    assert!(outcome.is_err(), "the panic propagates");
    assert_counted_as_an_error("fails_with_an_unprintable_error");
}
