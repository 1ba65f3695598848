//! M001: metric names are `[a-zA-Z_][a-zA-Z0-9_]*` (label names are Rust identifiers,
//! so the compiler already keeps them valid).
use monitor_runtime::business_metric;

#[business_metric(counter = "login-attempts", help = "Login attempts.")]
fn log_in() {}

monitor_runtime::business_metrics! {
    gauge QUEUE = "queue depth", help = "Jobs waiting.";
    counter VISITS = "café.visits_total", help = "Visits.";
}

fn main() {}
