//! A labelled business metric gets a series only when it is updated: a call that does
//! not update it (a failing call with `on = "ok"`, a panic, a dropped future) creates
//! no label set and uses up no place under `max_label_sets`. Label values longer than
//! the limit are cut and counted.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Waker};

use monitor_runtime::business::{MAX_LABEL_VALUE_LEN, OVERFLOW_LABEL_VALUE};
use monitor_runtime::{business_metric, business_metrics};
use monitor_tests::{find, parse_samples, sample};

#[business_metric(counter = "on_update_orders_total", help = "Orders.", labels(plan = plan))]
fn order(plan: &str, fail: bool) -> Result<(), String> {
    if fail {
        Err(format!("no {plan}"))
    } else {
        Ok(())
    }
}

#[business_metric(counter = "on_update_panics_total", help = "Calls.", labels(plan = plan))]
fn explode(plan: &str) {
    panic!("{plan} exploded");
}

#[business_metric(counter = "on_update_waits_total", help = "Waits.", labels(plan = plan))]
async fn wait(plan: String) {
    std::future::pending::<()>().await;
    drop(plan);
}

#[business_metric(
    counter = "on_update_limited_total",
    help = "Limited.",
    labels(code = code),
    max_label_sets = 2
)]
fn redeem(code: String, valid: bool) -> Result<(), String> {
    // The body consumes what the label is read from.
    if valid {
        drop(code);
        Ok(())
    } else {
        Err(code)
    }
}

#[business_metric(counter = "on_update_pages_total", help = "Pages.", labels(path = path))]
fn view(path: &str) {}

business_metrics! {
    /// Downloads by file name.
    counter DOWNLOADS = "on_update_downloads_total", help = "Downloads.", labels(file);
}

fn series_with(metric: &str, label: &str, value: &str) -> bool {
    let text = monitor_runtime::render_metrics().unwrap();
    text.lines()
        .any(|line| line.starts_with(metric) && line.contains(&format!("{label}=\"{value}\"")))
}

#[test]
fn a_failing_call_with_a_new_label_value_creates_no_series() {
    monitor_runtime::init().expect("no registration errors");
    order("junk", true).unwrap_err();
    assert!(!series_with("on_update_orders_total", "plan", "junk"));
    order("pro", false).unwrap();
    assert_eq!(
        sample("on_update_orders_total", &[("plan", "pro")]),
        Some(1.0)
    );
    // An existing label set is updated as before, and a failure still does not count.
    order("pro", true).unwrap_err();
    order("pro", false).unwrap();
    assert_eq!(
        sample("on_update_orders_total", &[("plan", "pro")]),
        Some(2.0)
    );
}

#[test]
fn a_panicking_call_creates_no_series() {
    let caught = std::panic::catch_unwind(|| explode("boom"));
    assert!(caught.is_err());
    assert!(!series_with("on_update_panics_total", "plan", "boom"));
}

#[test]
fn a_dropped_future_creates_no_series() {
    {
        let mut future = pin!(wait("dropped".to_owned()));
        let mut context = Context::from_waker(Waker::noop());
        assert!(future.as_mut().poll(&mut context).is_pending());
    }
    assert!(!series_with("on_update_waits_total", "plan", "dropped"));
}

#[test]
fn failing_calls_use_up_no_place_under_the_limit() {
    for attempt in 0..10 {
        redeem(format!("bad-{attempt}"), false).unwrap_err();
    }
    redeem("good-1".to_owned(), true).unwrap();
    redeem("good-2".to_owned(), true).unwrap();
    let text = monitor_runtime::render_metrics().unwrap();
    let samples = parse_samples(&text);
    for code in ["good-1", "good-2"] {
        assert_eq!(
            find(&samples, "on_update_limited_total", &[("code", code)]),
            Some(1.0),
            "{text}"
        );
    }
    assert_eq!(
        find(
            &samples,
            "on_update_limited_total",
            &[("code", OVERFLOW_LABEL_VALUE)]
        ),
        None,
        "{text}"
    );
    assert!(!text.contains("bad-"), "{text}");
}

#[test]
fn long_label_values_are_cut_and_counted() {
    let long = format!("/{}", "é".repeat(400));
    view(&long);
    view(&long);
    DOWNLOADS.inc([&"x".repeat(1000)]);
    // 256 bytes would split an `é`: the value is cut before it, at 255.
    assert_eq!(MAX_LABEL_VALUE_LEN, 256);
    let cut = format!("/{}", "é".repeat(127));
    assert_eq!(
        sample("on_update_pages_total", &[("path", &cut)]),
        Some(2.0)
    );
    assert_eq!(
        DOWNLOADS.with([&"x".repeat(MAX_LABEL_VALUE_LEN)]).get(),
        1.0
    );
    assert_eq!(
        sample(
            "monitor_label_values_cut_total",
            &[("metric", "on_update_pages_total")]
        ),
        Some(2.0)
    );
    assert!(
        sample(
            "monitor_label_values_cut_total",
            &[("metric", "on_update_downloads_total")]
        )
        .is_some_and(|count| count >= 1.0)
    );
    let text = monitor_runtime::render_metrics().unwrap();
    assert!(!text.contains(&long), "the whole value is never exposed");
}
