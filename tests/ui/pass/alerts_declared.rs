//! Objectives and alerts declared in the code: every form compiles, and reaches
//! the rule file.
use monitor_runtime::{business_metric, business_metrics, monitored};

#[monitored(objective(success = 0.999))]
fn checkout() {}

#[monitored(objective(latency = "250ms", latency_share = 0.99, period = "7d", name = "search_latency"))]
async fn search() {}

#[monitored(buckets = [0.1, 1.0], objective(success = 0.99, latency = "300ms", latency_share = 0.9))]
fn pay() -> Result<(), String> {
    Ok(())
}

struct Cart;

#[monitored]
impl Cart {
    #[monitored(objective(success = 0.95))]
    fn total(&self) -> u32 {
        1
    }
}

#[business_metric(
    counter = "login_failures_total",
    help = "Failed logins",
    alert(rate_above = 10, over = "5m", severity = "critical"),
    alert(rate_above = 1.5, over = "1h", for = "10m", name = "LoginFailuresElevated")
)]
fn fail_login() {}

#[business_metric(counter = "user_signups_total", help = "Sign-ups", alert(rate_below = 0.001, over = "1h", for = "0s"))]
fn sign_up() {}

business_metrics! {
    gauge QUEUE = "queue_depth", help = "Jobs waiting", alert(above = 100, severity = "warning"), alert(below = 0);
}

fn main() {
    checkout();
    drop(search());
    pay().unwrap();
    Cart.total();
    fail_login();
    sign_up();
    QUEUE.set(1.0, []);
    let rules = monitor_runtime::alerts::current().rules();
    for name in [
        "CheckoutErrorBudgetBurnPage",
        "SearchLatencyLatencyBudgetBurnPage",
        "PayErrorBudgetBurnPage",
        "CartTotalErrorBudgetBurnPage",
        "LoginFailuresTotalRateAbove",
        "LoginFailuresElevated",
        "UserSignupsTotalRateBelow",
        "QueueDepthAbove",
        "QueueDepthBelow",
    ] {
        assert!(rules.alerts().any(|alert| alert.alert == name), "{name}");
    }
}
