//! M001: metric and label names are `[a-zA-Z_][a-zA-Z0-9_]*`.
use monitor_runtime::business_metric;

#[business_metric(counter = "login-attempts", help = "Login attempts.")]
fn log_in() {}

#[business_metric(counter = "logins_total", help = "Logins.", labels(user-id = "anonymous"))]
fn log_in_as() {}

monitor_runtime::business_metrics! {
    gauge QUEUE = "queue depth", help = "Jobs waiting.";
    counter VISITS = "café.visits_total", help = "Visits.";
}

fn main() {}
