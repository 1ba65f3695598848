//! M073: an alert threshold is a number literal, not negative.
use monitor_runtime::business_metric;

#[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = -1))]
fn login() {}

#[business_metric(counter = "signups_total", help = "Sign-ups", alert(rate_below = "none"))]
fn sign_up() {}

fn main() {}
