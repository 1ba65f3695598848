//! Start-up registration of business metrics, in its own test binary so that nothing
//! else touches the registry first: every metric without labels taken from calls is
//! exposed at zero before anything is called.

use monitor_runtime::{business_metric, business_metrics};
use monitor_tests::{parse_samples, sample};

#[business_metric(counter = "startup_signups_total", help = "Sign-ups.")]
fn sign_up() {}

#[business_metric(
    counter = "startup_logins_total",
    help = "Logins by method.",
    labels(method = "password")
)]
fn log_in_with_password() {}

#[business_metric(
    counter = "startup_logins_total",
    help = "Logins by method.",
    labels(method = "sso")
)]
fn log_in_with_sso() {}

#[business_metric(
    counter = "startup_orders_total",
    help = "Orders by plan.",
    labels(plan = plan)
)]
fn order(plan: &str) {}

business_metrics! {
    /// Payments received.
    pub histogram PAYMENTS = "startup_payments_euros", help = "Payments received.",
        buckets = [10.0, 100.0];
    /// Open tickets by queue.
    pub gauge TICKETS = "startup_tickets_open", help = "Open tickets by queue.", labels(queue);
}

#[test]
fn every_declared_series_exists_at_zero_before_any_call() {
    monitor_runtime::init().expect("no registration problem");
    let text = monitor_runtime::render_metrics().unwrap();
    let samples = parse_samples(&text);
    let find = |name: &str, labels: &[(&str, &str)]| monitor_tests::find(&samples, name, labels);
    assert_eq!(find("startup_signups_total", &[]), Some(0.0));
    assert_eq!(
        find("startup_logins_total", &[("method", "password")]),
        Some(0.0)
    );
    assert_eq!(
        find("startup_logins_total", &[("method", "sso")]),
        Some(0.0)
    );
    assert_eq!(find("startup_payments_euros_count", &[]), Some(0.0));
    assert_eq!(
        find(
            "monitor_label_overflow_total",
            &[("metric", "startup_orders_total")]
        ),
        Some(0.0)
    );
    assert_eq!(
        find(
            "monitor_label_overflow_total",
            &[("metric", "startup_tickets_open")]
        ),
        Some(0.0)
    );
    // Label sets taken from calls appear with their first call.
    assert!(!text.contains("startup_orders_total{"));
    assert!(!text.contains("startup_tickets_open{"));

    sign_up();
    log_in_with_sso();
    order("pro");
    TICKETS.inc([&"billing"]);
    PAYMENTS.observe(12.5, []);
    assert_eq!(sample("startup_signups_total", &[]), Some(1.0));
    assert_eq!(
        sample("startup_logins_total", &[("method", "sso")]),
        Some(1.0)
    );
    assert_eq!(
        sample("startup_logins_total", &[("method", "password")]),
        Some(0.0)
    );
    assert_eq!(
        sample("startup_orders_total", &[("plan", "pro")]),
        Some(1.0)
    );
    assert_eq!(
        sample("startup_tickets_open", &[("queue", "billing")]),
        Some(1.0)
    );
    assert_eq!(sample("startup_payments_euros_sum", &[]), Some(12.5));
    log_in_with_password();
}
