//! A thread remembers the series that short label values resolved to: counts stay
//! exact whatever the values' addresses, lengths and declarations, and updates that
//! fold into the overflow series are each counted as before.

use monitor_runtime::business::OVERFLOW_LABEL_VALUE;
use monitor_runtime::{business_metric, business_metrics};
use monitor_tests::sample;

business_metrics! {
    /// Orders by plan.
    counter ORDERS = "test_cache_orders_total", help = "Orders by plan.", labels(plan);
    /// Refunds by plan: the same label values as ORDERS, another declaration.
    counter REFUNDS = "test_cache_refunds_total", help = "Refunds by plan.", labels(plan);
    /// Logins by country and method.
    counter LOGINS = "test_cache_logins_total", help = "Logins by country and method.",
        labels(country, method);
    /// Coupons by code, at most two codes.
    counter COUPONS = "test_cache_coupons_total", help = "Coupons by code.", labels(code),
        max_label_sets = 2;
    /// Pages by path, three labels (more than the cache takes).
    counter PAGES = "test_cache_pages_total", help = "Pages by path.", labels(a, b, c);
}

#[business_metric(
    counter = "test_cache_sign_ups_total",
    help = "Sign-ups by plan.",
    labels(plan = plan)
)]
fn sign_up(plan: &str) {
    let _ = plan;
}

#[test]
fn one_buffer_holding_other_values_counts_each_under_its_own() {
    // The same heap buffer, at the same address, holds value after value.
    let mut buffer = String::with_capacity(32);
    let values = ["free", "team", "teem", "business", "businesz", "enterprise"];
    for round in 1..=3 {
        for value in values {
            buffer.clear();
            buffer.push_str(value);
            ORDERS.inc([&buffer.as_str()]);
            sign_up(&buffer);
        }
        for value in values {
            let labels = [("plan", value)];
            let expected = Some(f64::from(round));
            assert_eq!(sample("test_cache_orders_total", &labels), expected);
            assert_eq!(sample("test_cache_sign_ups_total", &labels), expected);
        }
    }
}

#[test]
fn values_of_every_length_count_exactly() {
    // Around every boundary of how the cache reads a value (1–3, 4–7, 8–16 bytes)
    // and past its longest (17 and more: the family's table alone).
    let values: Vec<String> = (1..=40)
        .map(|len| {
            (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect()
        })
        .collect();
    for (times, value) in values.iter().enumerate() {
        for _ in 0..=times {
            REFUNDS.inc([&value.as_str()]);
        }
    }
    for (times, value) in values.iter().enumerate() {
        assert_eq!(
            sample("test_cache_refunds_total", &[("plan", value)]),
            Some(times as f64 + 1.0),
            "value of {} bytes",
            value.len()
        );
    }
}

#[test]
fn declarations_with_the_same_values_keep_their_own_series() {
    for _ in 0..3 {
        ORDERS.inc([&"shared"]);
    }
    REFUNDS.inc([&"shared"]);
    assert_eq!(
        sample("test_cache_orders_total", &[("plan", "shared")]),
        Some(3.0)
    );
    assert_eq!(
        sample("test_cache_refunds_total", &[("plan", "shared")]),
        Some(1.0)
    );
}

#[test]
fn two_labels_are_told_apart_by_value_and_by_place() {
    // ("ab", "c") and ("a", "bc") have the same bytes in a row; ("x", "y") and
    // ("y", "x") the same values in another order.
    let sets = [("ab", "c", 1), ("a", "bc", 2), ("x", "y", 3), ("y", "x", 4)];
    for (country, method, times) in sets {
        for _ in 0..times {
            LOGINS.inc([&country, &method]);
        }
    }
    for (country, method, times) in sets {
        assert_eq!(
            sample(
                "test_cache_logins_total",
                &[("country", country), ("method", method)]
            ),
            Some(f64::from(times)),
            "{country}, {method}"
        );
    }
}

#[test]
fn more_labels_than_the_cache_takes_count_exactly() {
    for _ in 0..5 {
        PAGES.inc([&"x", &"y", &"z"]);
    }
    assert_eq!(
        sample(
            "test_cache_pages_total",
            &[("a", "x"), ("b", "y"), ("c", "z")]
        ),
        Some(5.0)
    );
}

#[test]
fn every_update_folded_into_the_overflow_series_is_counted() {
    COUPONS.inc([&"one"]);
    COUPONS.inc([&"two"]);
    // The family is full: "three" folds, at every update, and is counted each time.
    for _ in 0..5 {
        COUPONS.inc([&"three"]);
    }
    COUPONS.inc([&"one"]);
    assert_eq!(
        sample(
            "test_cache_coupons_total",
            &[("code", OVERFLOW_LABEL_VALUE)]
        ),
        Some(5.0)
    );
    assert_eq!(
        sample(
            "monitor_label_overflow_total",
            &[("metric", "test_cache_coupons_total")]
        ),
        Some(5.0)
    );
    assert_eq!(
        sample("test_cache_coupons_total", &[("code", "one")]),
        Some(2.0)
    );
    assert_eq!(
        sample("test_cache_coupons_total", &[("code", "three")]),
        None
    );
}

#[test]
fn threads_updating_the_same_set_lose_nothing() {
    const PER_THREAD: u32 = 50_000;
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..PER_THREAD {
                    LOGINS.inc([&"fr", &"password"]);
                }
            });
        }
    });
    assert_eq!(
        sample(
            "test_cache_logins_total",
            &[("country", "fr"), ("method", "password")]
        ),
        Some(f64::from(4 * PER_THREAD))
    );
}
