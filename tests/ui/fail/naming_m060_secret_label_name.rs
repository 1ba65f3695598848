//! M060: a label named like a secret is refused by both forms, whatever its value is
//! read from.
use monitor_runtime::{business_metric, business_metrics};

#[business_metric(counter = "logins_total", help = "Logins.", labels(password = plan))]
fn log_in(plan: &str) {
    let _ = plan;
}

#[business_metric(counter = "calls_total", help = "Calls.", labels(api_key = "static"))]
fn call() {}

business_metrics! {
    counter REFRESHES = "refreshes_total", help = "Refreshes.", labels(auth_token);
    counter REQUESTS = "requests_total", help = "Requests.", labels(api_key = "static");
}

fn main() {}
