//! Names at the edges of every naming rule compile, and the exposition they make is
//! one `promtool check metrics` finds nothing in.
use monitor_runtime::business_metric;

// Shortest names: one letter for a gauge or histogram, `a_total` for a counter.
#[business_metric(gauge = "a", help = "Shortest gauge name.", set = 1)]
#[business_metric(counter = "a_total", help = "Shortest counter name.", labels(x1 = "v"))]
#[business_metric(histogram = "x1", help = "A digit after the first letter.", observe = 0.5, buckets = [1])]
fn shortest() {}

// The usual shapes; a unit before `_total`; a histogram in seconds.
#[business_metric(counter = "http_requests_total", help = "HTTP requests.", labels(method, code))]
#[business_metric(
    counter = "request_duration_seconds_total",
    help = "Time spent serving requests.",
    amount = 0.25
)]
#[business_metric(
    histogram = "request_duration_seconds",
    help = "Request latency.",
    observe = 0.25,
    buckets = [0.005, 0.1, 1.0]
)]
fn serve(method: &str, code: u16) {
    let _ = (method, code);
}

// A leading `_` (not `__`); digits inside names; rule words where they are not
// suffixes or units: `count_total`, `counter` alone, `total_…`, `ms` as the first word.
#[business_metric(gauge = "_private", help = "Leading underscore.", set = 2, labels(_shard = "0"))]
#[business_metric(counter = "count_total", help = "`count` before `_total`.")]
#[business_metric(counter = "request_count_total", help = "Requests, counted.")]
#[business_metric(gauge = "counter", help = "A type word alone.", set = 3)]
#[business_metric(gauge = "gauge_readings", help = "A type word first.", set = 4)]
#[business_metric(gauge = "total_memory_bytes", help = "`total` first.", set = 5)]
#[business_metric(counter = "http_2xx_responses_total", help = "Successful responses.")]
#[business_metric(gauge = "ms_per_request", help = "An abbreviation as the first word.", set = 6)]
#[business_metric(counter = "planb_signups_total", help = "Sign-ups to plan B.")]
fn edges() {}

// Labels at the edges: one letter, a leading `_`, a digit inside, names close to
// reserved ones.
#[business_metric(
    counter = "orders_total",
    help = "Orders placed.",
    labels(a = "x", _b = "y", tier2 = "z", level = "1", results = "ok", function_name = "f")
)]
fn order() {}

monitor_runtime::business_metrics! {
    /// Base units as the last word.
    pub gauge CACHE_HIT = "cache_hit_ratio", help = "Cache hit ratio.";
    pub gauge TEMPERATURE = "room_temperature_celsius", help = "Room temperature.";
    pub gauge CABLE = "cable_length_meters", help = "Cable length.";
    pub gauge PARCEL = "parcel_weight_grams", help = "Parcel weight.";
    pub counter BYTES_SENT = "bytes_sent_total", help = "Bytes sent.", labels(peer);
    pub histogram PAYLOAD = "payload_size_bytes", help = "Payload size.", buckets = [1e3, 1e6];
    /// Durations in seconds go without buckets: the bounds of `#[monitored]`.
    pub histogram WAIT = "queue_wait_seconds", help = "Time spent waiting.";
    pub counter WAITED = "queue_wait_seconds_total", help = "Time spent waiting.";
    pub gauge X = "x", help = "One letter.";
}

fn main() {
    shortest();
    serve("GET", 200);
    edges();
    order();
    CACHE_HIT.set(0.5, []);
    TEMPERATURE.set(21.5, []);
    CABLE.set(3, []);
    PARCEL.set(250, []);
    BYTES_SENT.inc_by(512, [&"db"]);
    PAYLOAD.observe(2048, []);
    WAITED.inc_by(1.5, []);
    WAIT.observe(0.002, []);
    X.set(1, []);
    monitor_runtime::init().expect("every metric registers");
    let exposition = monitor_runtime::render_metrics().expect("metrics encode");
    for name in ["a", "a_total", "x1_bucket", "planb_signups_total", "payload_size_bytes_count", "queue_wait_seconds_count"] {
        assert!(
            exposition.lines().any(|line| line.starts_with(&format!("{name} ")) || line.starts_with(&format!("{name}{{"))),
            "{name} missing from\n{exposition}"
        );
    }
    let findings = monitor_tests::promtool::check_metrics(&exposition);
    assert!(findings.is_empty(), "promtool: {findings:#?}\n{exposition}");
}
