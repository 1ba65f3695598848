//! M014: base units (seconds, bytes, ratios…).
use monitor_runtime::business_metric;

#[business_metric(histogram = "request_latency_milliseconds", help = "Request latency.", observe = 1)]
fn serve() {}

monitor_runtime::business_metrics! {
    gauge CPU = "cpu_percent", help = "CPU used.";
    gauge PAYLOAD = "payload_kilobytes", help = "Payload size.";
    gauge UPTIME = "uptime_minutes", help = "Uptime.";
}

fn main() {}
