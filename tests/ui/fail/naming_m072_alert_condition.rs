//! M072: an alert has one condition, and it fits the metric's kind.
use monitor_runtime::{business_metric, business_metrics};

#[business_metric(counter = "logins_total", help = "Logins", alert(above = 5))]
fn login() {}

business_metrics! {
    gauge QUEUE = "queue_depth", help = "Jobs waiting", alert(rate_above = 1);
}

#[business_metric(counter = "signups_total", help = "Sign-ups", alert(over = "1h"))]
fn sign_up() {}

#[business_metric(counter = "orders_total", help = "Orders", alert(rate_above = 5, rate_below = 1))]
fn order() {}

fn main() {}
