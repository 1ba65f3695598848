//! Two declarations of one business metric that give different `max_label_sets` are
//! reported by `init`; the metric takes the smaller limit, whatever the link order.

use monitor_runtime::business::OVERFLOW_LABEL_VALUE;
use monitor_runtime::{RegistrationError, business_metric, business_metrics};

#[business_metric(
    counter = "disagree_coupons_total",
    help = "Coupons.",
    labels(code = code),
    max_label_sets = 3
)]
fn redeem(code: &str) {}

business_metrics! {
    /// The same metric, with another limit.
    counter COUPONS = "disagree_coupons_total", help = "Coupons.", labels(code),
        max_label_sets = 2;
}

#[test]
fn different_limits_are_reported_and_the_smaller_applies() {
    let error = monitor_runtime::init().expect_err("the limits disagree");
    let reasons: Vec<&str> = error
        .errors()
        .iter()
        .filter_map(|error| match error {
            RegistrationError::Incompatible {
                metric,
                first,
                second,
                reason,
            } if metric == "disagree_coupons_total" => {
                assert!(first.starts_with(file!()) && second.starts_with(file!()));
                assert_ne!(first, second);
                Some(reason.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 1, "{error}");
    assert!(
        reasons[0].contains("max_label_sets differ") && reasons[0].contains("smaller, 2"),
        "{}",
        reasons[0]
    );

    for code in ["a", "b", "c", "d"] {
        redeem(code);
    }
    COUPONS.inc([&"e"]);
    assert_eq!(COUPONS.with([&"a"]).get(), 1.0);
    assert_eq!(COUPONS.with([&"b"]).get(), 1.0);
    assert_eq!(COUPONS.with([&OVERFLOW_LABEL_VALUE]).get(), 3.0);
}
