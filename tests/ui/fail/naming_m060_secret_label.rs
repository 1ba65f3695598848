//! M060: no label values from secret-looking arguments.
use monitor_runtime::business_metric;

#[business_metric(counter = "logins_total", help = "Logins.", labels(user = api_key))]
fn log_in(plan: &str, api_key: &str) {
    let _ = (plan, api_key);
}

#[business_metric(counter = "resets_total", help = "Password resets.", labels(password))]
fn reset(password: &str) {
    let _ = password;
}

monitor_runtime::business_metrics! {
    counter SESSIONS = "sessions_total", help = "Sessions.", labels(authToken);
}

fn main() {}
