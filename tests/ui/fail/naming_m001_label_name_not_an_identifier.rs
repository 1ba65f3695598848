//! M001: a label name with a `-`, or written as a string, gets a coded error with the
//! name to write, not a parse error.
use monitor_runtime::{business_metric, business_metrics};

#[business_metric(counter = "logins_total", help = "Logins.", labels(user-id = user))]
fn log_in(user: &str) {
    let _ = user;
}

#[business_metric(counter = "calls_total", help = "Calls.", labels("user-id" = user))]
fn call(user: &str) {
    let _ = user;
}

#[business_metric(counter = "visits_total", help = "Visits.", labels("plan" = plan))]
fn visit(plan: &str) {
    let _ = plan;
}

business_metrics! {
    counter REQUESTS = "requests_total", help = "Requests.", labels(user-id, "region");
}

fn main() {}
