//! `alert(...)`: durations checked (M050), unknown and repeated arguments refused,
//! a list, a name that is an identifier.
use monitor_runtime::business_metric;

#[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = 10, over = "5"))]
fn login() {}

#[business_metric(counter = "signups_total", help = "Sign-ups", alert(rate_below = 1, whitin = "1h", over = "1h", over = "2h"))]
fn sign_up() {}

#[business_metric(counter = "orders_total", help = "Orders", alert = 5)]
fn order() {}

#[business_metric(counter = "refunds_total", help = "Refunds", alert(rate_above = 1, name = "refund spike"))]
fn refund() {}

fn main() {}
