//! M007: the names of the framework's own metric families, and those Prometheus adds
//! at each scrape, are reserved.
use monitor_runtime::{business_metric, business_metrics};

#[business_metric(counter = "process_cpu_seconds_total", help = "CPU used.")]
fn crunch() {}

#[business_metric(counter = "function_calls_total", help = "Calls.")]
fn call() {}

business_metrics! {
    gauge STATUS = "health_check_status", help = "Status.";
    counter ERRORS = "monitor_errors_total", help = "Errors.";
    histogram LATENCY = "http_server_request_duration_seconds", help = "Latency.";
    gauge CLIENTS = "http_client_active_requests", help = "Requests in flight.";
    gauge POOL = "db_client_connections", help = "Connections.";
    gauge WORKERS = "tokio_workers", help = "Workers.";
    counter HITS = "cache_hits_total", help = "Hits.";
    gauge UP = "up", help = "Up.";
    gauge ALERTS = "ALERTS", help = "Alerts.";
}

fn main() {}
