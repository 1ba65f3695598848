//! M015: units are spelled out; words before the unit position that read as units
//! are renamed.
use monitor_runtime::business_metric;

#[business_metric(histogram = "request_latency_ms", help = "Request latency.", observe = 1)]
fn serve() {}

monitor_runtime::business_metrics! {
    counter PAYLOAD = "payload_kb_total", help = "Bytes received.";
    gauge DISTANCE = "distance_m", help = "Distance.";
    counter SIGNUPS = "plan_b_signups_total", help = "Sign-ups to plan B.";
}

fn main() {}
