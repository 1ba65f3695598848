//! M010: counters end in `_total`.
use monitor_runtime::business_metric;

#[business_metric(counter = "login_attempts", help = "Login attempts.")]
fn log_in() {}

monitor_runtime::business_metrics! {
    counter REQUEST_SECONDS = "request_duration_seconds", help = "Time spent serving.";
}

fn main() {}
