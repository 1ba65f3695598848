//! Counts of `#[business_metric]` counters, gauges and histograms: exact under
//! concurrency, the `Ok`/`Err` rules, gauges back to zero, histogram sums.

use std::borrow::Cow;
use std::sync::Arc;

use monitor_runtime::business::LabelValue;
use monitor_runtime::business_metric;
use monitor_tests::sample;

#[derive(Debug, Clone, Copy)]
enum Plan {
    Free,
    Pro,
}

impl LabelValue for Plan {
    fn label_value(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
        })
    }
}

#[derive(Debug)]
struct Rejected(&'static str);

#[business_metric(
    counter = "test_signups_total",
    help = "Sign-ups in tests.",
    labels(plan = plan, source = "test")
)]
fn sign_up(plan: Plan, valid: bool) -> Result<u32, Rejected> {
    if valid {
        Ok(1)
    } else {
        Err(Rejected("invalid"))
    }
}

#[business_metric(
    counter = "test_rejections_total",
    help = "Rejected sign-ups in tests, by reason.",
    on = "error",
    labels(reason = ret.0)
)]
fn sign_up_checked(valid: bool) -> Result<u32, Rejected> {
    let value = if valid {
        Ok(2)
    } else {
        Err(Rejected("too_short"))
    }?;
    Ok(value)
}

#[business_metric(counter = "test_pings_total", help = "Pings, counted on every call.")]
fn ping() -> u8 {
    7
}

#[business_metric(
    counter = "test_attempts_total",
    help = "Attempts, whatever their outcome.",
    on = "always"
)]
fn attempt(fail: bool) -> Result<(), Rejected> {
    if fail {
        return Err(Rejected("no"));
    }
    Ok(())
}

#[business_metric(
    counter = "test_items_sold_total",
    help = "Items sold.",
    amount = ret.len()
)]
fn sell(items: &[u32]) -> Result<Vec<u32>, Rejected> {
    Ok(items.to_vec())
}

#[business_metric(gauge = "test_sessions_active", help = "Sessions open in tests.", inc)]
fn open_session() -> Result<(), Rejected> {
    Ok(())
}

#[business_metric(gauge = "test_sessions_active", help = "Sessions open in tests.", dec)]
fn close_session() {}

#[business_metric(
    gauge = "test_queue_length",
    help = "Queue length.",
    set = ret.len()
)]
fn drain(queue: Vec<u8>) -> Vec<u8> {
    queue
}

#[business_metric(
    histogram = "test_order_value_euros",
    help = "Order values in tests.",
    observe = ret,
    buckets = [10.0, 100.0, 1000.0]
)]
async fn place_order(value: f64) -> Result<f64, Rejected> {
    if value < 0.0 {
        return Err(Rejected("negative"));
    }
    Ok(value)
}

#[test]
fn counts_ok_calls_of_result_functions_per_label() {
    let threads: Vec<_> = (0..8)
        .map(|index| {
            std::thread::spawn(move || {
                for call in 0..1000 {
                    let plan = if index % 2 == 0 {
                        Plan::Free
                    } else {
                        Plan::Pro
                    };
                    let _ = sign_up(plan, call % 4 != 0);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let labels = |plan| [("plan", plan), ("source", "test")];
    assert_eq!(sample("test_signups_total", &labels("free")), Some(3000.0));
    assert_eq!(sample("test_signups_total", &labels("pro")), Some(3000.0));
}

#[test]
fn on_error_counts_errors_by_reason_including_question_mark_exits() {
    for _ in 0..3 {
        sign_up_checked(false).unwrap_err();
    }
    sign_up_checked(true).unwrap();
    assert_eq!(
        sample("test_rejections_total", &[("reason", "too_short")]),
        Some(3.0)
    );
}

#[test]
fn functions_without_result_count_every_call() {
    for _ in 0..5 {
        assert_eq!(ping(), 7);
    }
    assert_eq!(sample("test_pings_total", &[]), Some(5.0));
}

#[test]
fn on_always_counts_early_returns_too() {
    attempt(true).unwrap_err();
    attempt(false).unwrap();
    attempt(true).unwrap_err();
    assert_eq!(sample("test_attempts_total", &[]), Some(3.0));
}

#[test]
fn amounts_come_from_the_returned_value() {
    sell(&[1, 2, 3]).unwrap();
    sell(&[4]).unwrap();
    assert_eq!(sample("test_items_sold_total", &[]), Some(4.0));
}

#[test]
fn paired_gauge_updates_return_to_zero_under_concurrency() {
    let barrier = Arc::new(std::sync::Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                for _ in 0..2500 {
                    open_session().unwrap();
                    close_session();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(sample("test_sessions_active", &[]), Some(0.0));
    open_session().unwrap();
    assert_eq!(sample("test_sessions_active", &[]), Some(1.0));
    close_session();
    assert_eq!(sample("test_sessions_active", &[]), Some(0.0));
}

#[test]
fn gauges_are_set_from_the_returned_value() {
    drain(vec![1, 2, 3]);
    assert_eq!(sample("test_queue_length", &[]), Some(3.0));
    drain(Vec::new());
    assert_eq!(sample("test_queue_length", &[]), Some(0.0));
}

#[test]
fn histogram_sums_equal_the_observed_values() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let values: Vec<f64> = (1..=200).map(|value| f64::from(value) * 2.5).collect();
    runtime.block_on(async {
        let tasks: Vec<_> = values
            .iter()
            .map(|value| tokio::spawn(place_order(*value)))
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        place_order(-1.0).await.unwrap_err();
    });
    let expected: f64 = values.iter().sum();
    assert_eq!(sample("test_order_value_euros_sum", &[]), Some(expected));
    assert_eq!(sample("test_order_value_euros_count", &[]), Some(200.0));
    let at_most_100 = values.iter().filter(|value| **value <= 100.0).count();
    assert_eq!(
        sample("test_order_value_euros_bucket", &[("le", "100")]),
        Some(at_most_100 as f64)
    );
}
