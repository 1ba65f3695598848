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
    let found: Vec<&RegistrationError> = error
        .errors()
        .iter()
        .filter(|error| {
            matches!(error, RegistrationError::Incompatible { metric, .. }
                if metric == "disagree_coupons_total")
        })
        .collect();
    let [
        RegistrationError::Incompatible {
            first,
            second,
            reason,
            ..
        },
    ] = found.as_slice()
    else {
        panic!("one report of the limits: {error}");
    };
    assert!(first.starts_with(file!()) && second.starts_with(file!()));
    assert_ne!(first, second);
    assert!(
        reason.contains("max_label_sets differ") && reason.contains("smaller, 2"),
        "{reason}"
    );

    for code in ["a", "b", "c", "d"] {
        redeem(code);
    }
    COUPONS.inc([&"e"]);
    assert_eq!(COUPONS.with([&"a"]).get(), 1.0);
    assert_eq!(COUPONS.with([&"b"]).get(), 1.0);
    assert_eq!(COUPONS.with([&OVERFLOW_LABEL_VALUE]).get(), 3.0);
}
