//! M003: names start with a letter or `_`.
use monitor_runtime::business_metric;

#[business_metric(counter = "5xx_errors_total", help = "Server errors.")]
fn fail() {}

monitor_runtime::business_metrics! {
    gauge CERTIFICATES = "0day_certificates", help = "Certificates expiring today.";
}

fn main() {}
