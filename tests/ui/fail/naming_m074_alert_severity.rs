//! M074: severities are `critical` (page) and `warning` (ticket).
use monitor_runtime::business_metric;

#[business_metric(counter = "logins_total", help = "Logins", alert(rate_above = 10, severity = "page"))]
fn login() {}

fn main() {}
