//! M003: names start with a letter or `_`.
use monitor_runtime::business_metric;

#[business_metric(counter = "5xx_errors_total", help = "Server errors.")]
fn fail() {}

monitor_runtime::business_metrics! {
    counter REQUESTS = "requests_total", help = "Requests.", labels("2fa" = "on");
}

fn main() {}
