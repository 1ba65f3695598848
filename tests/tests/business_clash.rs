//! Declarations of one business metric that disagree are reported by `init` with both
//! source locations; the later one is left out of the exposition, never merged, and
//! its callers are not disturbed.

use monitor_runtime::{RegistrationError, business_metric, business_metrics};
use monitor_tests::sample;

#[business_metric(histogram = "clash_refunds_euros", help = "Refunds.", observe = 1.0, buckets = [10.0])]
fn refund() {}

#[business_metric(gauge = "clash_refunds_euros", help = "Refunds.", inc)]
fn refund_as_gauge() {}

#[business_metric(counter = "clash_payments_total", help = "Payments.", labels(plan = plan))]
fn pay(plan: &str) {}

business_metrics! {
    /// Same name, other labels.
    counter PAYMENTS_BY_REGION = "clash_payments_total", help = "Payments.", labels(region);
}

#[test]
fn init_reports_incompatible_declarations_with_both_locations() {
    let error = monitor_runtime::init().expect_err("two clashes");
    let clashes: Vec<_> = error
        .errors()
        .iter()
        .filter_map(|error| match error {
            RegistrationError::Incompatible {
                metric,
                first,
                second,
                reason,
            } => Some((
                metric.as_str(),
                first.as_str(),
                second.as_str(),
                reason.as_str(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(clashes.len(), 2, "{error}");
    let this_file = file!();
    for (metric, first, second, reason) in &clashes {
        assert!(first.starts_with(this_file) && second.starts_with(this_file));
        assert_ne!(first, second);
        match *metric {
            "clash_refunds_euros" => {
                assert!(
                    reason.contains("histogram") && reason.contains("gauge"),
                    "{reason}"
                );
            }
            "clash_payments_total" => {
                assert!(
                    reason.contains("(plan)") && reason.contains("(region)"),
                    "{reason}"
                );
            }
            other => panic!("unexpected clash on {other}"),
        }
    }
    let message = error.to_string();
    assert!(message.contains("clash_refunds_euros"), "{message}");

    // Both sides keep working; only the declaration registered first is exposed.
    refund();
    refund_as_gauge();
    pay("pro");
    PAYMENTS_BY_REGION.inc([&"eu"]);
    assert_eq!(PAYMENTS_BY_REGION.with([&"eu"]).get(), 1.0);
    let text = monitor_runtime::render_metrics().unwrap();
    let kinds = [
        "# TYPE clash_refunds_euros histogram",
        "# TYPE clash_refunds_euros gauge",
    ];
    assert_eq!(
        kinds.iter().filter(|kind| text.contains(*kind)).count(),
        1,
        "{text}"
    );
    let exposed = sample("clash_refunds_euros", &[]).or(sample("clash_refunds_euros_sum", &[]));
    assert_eq!(exposed, Some(1.0), "{text}");
    let by_plan = sample("clash_payments_total", &[("plan", "pro")]);
    let by_region = sample("clash_payments_total", &[("region", "eu")]);
    assert!(
        matches!((by_plan, by_region), (Some(1.0), None) | (None, Some(1.0))),
        "{text}"
    );
}
