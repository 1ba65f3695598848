//! Everything business metrics expose, the quickstart's included, passes
//! `promtool check metrics` with no finding.

use monitor_runtime::{business_metric, business_metrics};

#[path = "../../examples/quickstart/src/business.rs"]
mod quickstart_business;

business_metrics! {
    /// Refunds by reason.
    pub counter REFUNDS = "promtool_refunds_total", help = "Refunds by reason.",
        labels(reason), max_label_sets = 3;
    /// Stock level.
    pub gauge STOCK = "promtool_stock_items", help = "Items in stock.";
}

#[business_metric(
    histogram = "promtool_delivery_seconds",
    help = "Delivery time.",
    observe = std::time::Duration::from_millis(delay_ms),
    labels(carrier = carrier),
    buckets = [0.5, 1.0, 5.0]
)]
fn deliver(carrier: &str, delay_ms: u64) {}

#[test]
fn the_exposition_of_every_form_has_no_promtool_finding() {
    quickstart_business::start();
    for reason in [
        "damaged",
        "late",
        "wrong item",
        "quote \" and \\ backslash",
        "ünïcode",
    ] {
        REFUNDS.inc([&reason]);
    }
    REFUNDS.inc_by(-1.0, [&"late"]);
    STOCK.set(f64::NAN, []);
    STOCK.set(12, []);
    deliver("post", 1200);
    deliver("courier", 300);
    let text = monitor_runtime::render_metrics().unwrap();
    for expected in [
        "user_signups_total{",
        "login_failures_total{",
        "order_value_euros_bucket{",
        "sessions_active ",
        "promtool_refunds_total{reason=\"__overflow__\"} 2",
        "monitor_label_overflow_total{metric=\"promtool_refunds_total\"} 2",
        "monitor_business_invalid_values_total{metric=\"promtool_refunds_total\"} 1",
        "monitor_business_invalid_values_total{metric=\"promtool_stock_items\"} 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let findings = monitor_tests::promtool::check_metrics(&text);
    assert!(findings.is_empty(), "promtool: {findings:?}\n{text}");
}
