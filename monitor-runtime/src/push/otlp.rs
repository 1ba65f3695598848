//! OTLP metrics export: snapshots of the model as OTLP/HTTP protobuf
//! `ExportMetricsServiceRequest`s, sent to an OpenTelemetry collector with
//! remote-write's delivery (`delivery`).

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::header::{HeaderName, HeaderValue};
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{
    self as otlp, AggregationTemporality, ResourceMetrics, ScopeMetrics, exemplar,
    exponential_histogram_data_point::Buckets, metric::Data, number_data_point,
    summary_data_point::ValueAtQuantile,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use prost::Message as _;

use super::delivery::{self, Protocol, Settings};
use super::metrics::{DeliveryMetrics, otlp as metrics};
use crate::core::model::{self, Kind, Labels, Value};
use crate::core::{Background, identity};

/// The default bound of the buffer, in data points.
const DEFAULT_MAX_BUFFERED_POINTS: usize = 100_000;
/// The default interval between snapshots.
const DEFAULT_EXPORT_INTERVAL: Duration = Duration::from_secs(15);
/// The family whose value is the start of the process, in seconds since the epoch
/// (the `system` feature, on Linux).
const PROCESS_START: &str = "process_start_time_seconds";

/// Sends the registry's metrics to an OpenTelemetry collector over OTLP/HTTP
/// (protobuf, `Content-Type: application/x-protobuf`): a snapshot of every series
/// on an interval and one more at [`Background::stop`], with the
/// [`identity`](crate::identity) of the process as the resource's
/// `service.name`, `service.instance.id` and `service.version`.
///
/// ```no_run
/// use std::time::Duration;
/// use monitor_runtime::push::Otlp;
///
/// # async fn service() {
/// let export = Otlp::new("http://otel-collector:4318/v1/metrics")
///     .interval(Duration::from_secs(15))
///     .header("Authorization", "Bearer s3cr3t")
///     .max_buffered_points(200_000)
///     .start();
/// // ... the service runs ...
/// export.stop().await.expect("everything reached the collector");
/// # }
/// ```
///
/// ## What is sent
///
/// The snapshot is read from the model ([`monitor_runtime::snapshot`](crate::snapshot)),
/// no text written or parsed, with **cumulative** temporality: each point is the
/// total since `start_time_unix_nano`, the start of the process
/// (`process_start_time_seconds` when the `system` feature shows it, else the
/// moment the first `Otlp` started).
///
/// | model | OTLP |
/// |---|---|
/// | counter | `Sum`, monotonic, cumulative |
/// | gauge, untyped | `Gauge` |
/// | info (`target_info`) | `Gauge` of 1, the information in its attributes |
/// | histogram with buckets | `Histogram`, the bounds as `explicit_bounds`, one count per bucket (not cumulative), `+Inf`'s last |
/// | native histogram (no classic buckets) | `ExponentialHistogram` of the same schema (`scale`) |
/// | summary | `Summary` |
///
/// **Names stay exactly the Prometheus names `/metrics` shows**
/// (`function_calls_total` keeps its `_total`, `http_server_request_duration_seconds`
/// its unit), so one query language finds one series whichever way it travelled;
/// the unit is given besides, in UCUM (`s`, `By`, `1`). Labels become attributes
/// of string values. Exemplars (the trace a call ran in) go out as OTLP exemplars
/// with their `trace_id` and `span_id` as bytes.
///
/// ## Delivery
///
/// As [`RemoteWrite`](crate::push::RemoteWrite)'s: snapshots wait in a buffer and
/// are sent one request each in order. A send with no answer, or refused with HTTP
/// 429, 502, 503 or 504 (the statuses the OTLP specification says to retry), is
/// retried after a backoff that doubles from [`Otlp::backoff`]'s minimum to its
/// maximum while new snapshots keep being taken; any other refusal drops that
/// snapshot, counted in `monitor_otlp_points_rejected_total`. A collector away
/// for a while loses nothing as long as the buffer holds what was taken
/// meanwhile.
///
/// The buffer holds at most [`Otlp::max_buffered_points`] data points (default
/// 100 000; a histogram is one point); a snapshot that would exceed it drops the
/// oldest snapshots first, every point counted in
/// `monitor_otlp_points_dropped_total`. The points waiting are
/// `monitor_otlp_buffered_points`; accepted points count in
/// `monitor_otlp_points_sent_total`, retried exports in `monitor_otlp_retries_total`.
///
/// ## Shutdown
///
/// [`Background::stop`] takes a last snapshot and sends everything buffered,
/// retrying until [`Otlp::flush_deadline`] (default 10 s); it fails with the number
/// of points left unsent. [`Background::now`] takes a snapshot between two
/// intervals and has it sent.
#[derive(Clone)]
pub struct Otlp {
    settings: Settings,
    headers: Vec<(String, String)>,
}

impl Otlp {
    /// An exporter to the collector's OTLP/HTTP metrics endpoint `url`
    /// (`http://host:4318/v1/metrics`).
    ///
    /// ```
    /// let export = monitor_runtime::push::Otlp::new("http://localhost:4318/v1/metrics");
    /// # let _ = export;
    /// ```
    pub fn new(url: &str) -> Self {
        Otlp {
            settings: Settings::new(url, DEFAULT_EXPORT_INTERVAL, DEFAULT_MAX_BUFFERED_POINTS),
            headers: Vec::new(),
        }
    }

    /// The interval between snapshots (default 15 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let export = monitor_runtime::push::Otlp::new("http://localhost:4318/v1/metrics")
    ///     .interval(Duration::from_secs(30));
    /// # let _ = export;
    /// ```
    pub fn interval(mut self, interval: Duration) -> Self {
        self.settings.set_interval(interval);
        self
    }

    /// The bound of the buffer, in data points (default 100 000).
    ///
    /// ```
    /// let export = monitor_runtime::push::Otlp::new("http://localhost:4318/v1/metrics")
    ///     .max_buffered_points(500_000);
    /// # let _ = export;
    /// ```
    pub fn max_buffered_points(mut self, points: usize) -> Self {
        self.settings.max_buffered = points;
        self
    }

    /// How long one request may take (default 10 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let export = monitor_runtime::push::Otlp::new("http://localhost:4318/v1/metrics")
    ///     .timeout(Duration::from_secs(5));
    /// # let _ = export;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// The first and the longest wait between retries (default 100 ms and 10 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let export = monitor_runtime::push::Otlp::new("http://localhost:4318/v1/metrics")
    ///     .backoff(Duration::from_millis(500), Duration::from_secs(30));
    /// # let _ = export;
    /// ```
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.settings.set_backoff(min, max);
        self
    }

    /// How long [`Background::stop`] keeps retrying (default 10 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let export = monitor_runtime::push::Otlp::new("http://localhost:4318/v1/metrics")
    ///     .flush_deadline(Duration::from_secs(3));
    /// # let _ = export;
    /// ```
    pub fn flush_deadline(mut self, deadline: Duration) -> Self {
        self.settings.flush_deadline = deadline;
        self
    }

    /// Adds a header to every request (the collector's credentials, a tenant);
    /// a second header of the same name replaces the first. A name or value HTTP
    /// does not allow is logged as an error and left out.
    ///
    /// ```
    /// let export = monitor_runtime::push::Otlp::new("https://collector:4318/v1/metrics")
    ///     .header("Authorization", "Bearer s3cr3t")
    ///     .header("X-Scope-OrgID", "shop");
    /// # let _ = export;
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if HeaderName::from_bytes(name.as_bytes()).is_err() || HeaderValue::from_str(value).is_err()
        {
            tracing::error!(
                header = name,
                "monitor: OTLP header left out: its name or value is not valid HTTP"
            );
            return self;
        }
        self.headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Starts the snapshots and the sending on the current tokio runtime; the
    /// first snapshot is taken now. See [Shutdown](Self#shutdown) for what
    /// [`Background::stop`] does.
    ///
    /// ```no_run
    /// # async fn service() {
    /// let export = monitor_runtime::push::Otlp::new("http://localhost:4318/v1/metrics").start();
    /// export.now(); // a snapshot now, at the end of a batch
    /// export.stop().await.unwrap();
    /// # }
    /// ```
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn start(self) -> Background {
        let _ = STARTED.get_or_init(now_nanos);
        let settings = self.settings.clone();
        delivery::start(self, settings)
    }
}

/// When the first exporter started, in nanoseconds since the epoch: the start of
/// the cumulative points when the process' own start is not in the model.
static STARTED: OnceLock<u64> = OnceLock::new();

impl Protocol for Otlp {
    const NAME: &'static str = "OTLP";
    const POINTS: &'static str = "OTLP data points";

    fn snapshot(&self) -> (usize, Vec<u8>) {
        let now = now_nanos();
        let request = export_request(
            &crate::core::snapshot(),
            &identity::current(),
            STARTED.get().copied().unwrap_or(now),
            now,
        );
        (points(&request), request.encode_to_vec())
    }

    fn headers(&self) -> Vec<(&str, &str)> {
        let mut headers = vec![
            ("Content-Type", "application/x-protobuf"),
            (
                "User-Agent",
                concat!("monitor-runtime/", env!("CARGO_PKG_VERSION")),
            ),
        ];
        headers.extend(
            self.headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        );
        headers
    }

    /// The OTLP/HTTP specification: retry 429, 502, 503 and 504, nothing else.
    fn retryable(status: u16) -> bool {
        matches!(status, 429 | 502 | 503 | 504)
    }

    fn metrics() -> &'static DeliveryMetrics {
        metrics()
    }
}

fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64)
}

/// The data points of `request`.
fn points(request: &ExportMetricsServiceRequest) -> usize {
    request
        .resource_metrics
        .iter()
        .flat_map(|resource| &resource.scope_metrics)
        .flat_map(|scope| &scope.metrics)
        .map(|metric| match &metric.data {
            Some(Data::Gauge(gauge)) => gauge.data_points.len(),
            Some(Data::Sum(sum)) => sum.data_points.len(),
            Some(Data::Histogram(histogram)) => histogram.data_points.len(),
            Some(Data::ExponentialHistogram(histogram)) => histogram.data_points.len(),
            Some(Data::Summary(summary)) => summary.data_points.len(),
            None => 0,
        })
        .sum()
}

/// Every family of `snapshot` with series, as one OTLP request of one resource
/// (`identity`) and one scope (this crate), the points at `time` (nanoseconds since
/// the epoch), the cumulative ones counted since the process' start
/// (`process_start_time_seconds` of the snapshot, else `fallback_start`).
pub(crate) fn export_request(
    snapshot: &model::Snapshot,
    identity: &identity::Identity,
    fallback_start: u64,
    time: u64,
) -> ExportMetricsServiceRequest {
    let start = snapshot
        .value(PROCESS_START, &[])
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map_or(fallback_start, |seconds| (seconds * 1e9).round() as u64)
        .min(time);
    let at = Time { start, time };
    let metrics = snapshot
        .families
        .iter()
        .filter(|family| !family.series.is_empty())
        .map(|family| metric(family, at))
        .collect();
    ExportMetricsServiceRequest {
        resource_metrics: vec![ResourceMetrics {
            resource: Some(Resource {
                attributes: vec![
                    string("service.name", identity.service()),
                    string("service.instance.id", identity.instance_id()),
                    string("service.version", identity.service_version()),
                ],
                ..Default::default()
            }),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(InstrumentationScope {
                    name: "monitor-runtime".to_owned(),
                    version: env!("CARGO_PKG_VERSION").to_owned(),
                    ..Default::default()
                }),
                metrics,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// The start of the cumulative points and the time of every point, in
/// nanoseconds since the epoch.
#[derive(Clone, Copy)]
struct Time {
    start: u64,
    time: u64,
}

const CUMULATIVE: i32 = AggregationTemporality::Cumulative as i32;

fn metric(family: &model::Family, at: Time) -> otlp::Metric {
    let data = match family.kind {
        Kind::Counter => Data::Sum(otlp::Sum {
            data_points: numbers(family, Some(at.start), at.time),
            aggregation_temporality: CUMULATIVE,
            is_monotonic: true,
        }),
        Kind::Gauge | Kind::Untyped | Kind::Info => Data::Gauge(otlp::Gauge {
            data_points: numbers(family, None, at.time),
        }),
        Kind::Histogram if is_exponential(family) => {
            Data::ExponentialHistogram(otlp::ExponentialHistogram {
                data_points: family
                    .series
                    .iter()
                    .filter_map(|series| match &series.value {
                        Value::Histogram(histogram) => {
                            Some(exponential(&series.labels, histogram, at))
                        }
                        _ => None,
                    })
                    .collect(),
                aggregation_temporality: CUMULATIVE,
            })
        }
        Kind::Histogram => Data::Histogram(otlp::Histogram {
            data_points: family
                .series
                .iter()
                .filter_map(|series| match &series.value {
                    Value::Histogram(histogram) => Some(classic(&series.labels, histogram, at)),
                    _ => None,
                })
                .collect(),
            aggregation_temporality: CUMULATIVE,
        }),
        Kind::Summary => Data::Summary(otlp::Summary {
            data_points: family
                .series
                .iter()
                .filter_map(|series| match &series.value {
                    Value::Summary(summary) => Some(otlp::SummaryDataPoint {
                        attributes: attributes(&series.labels),
                        start_time_unix_nano: at.start,
                        time_unix_nano: at.time,
                        count: summary.count,
                        sum: summary.sum,
                        quantile_values: summary
                            .quantiles
                            .iter()
                            .map(|&(quantile, value)| ValueAtQuantile { quantile, value })
                            .collect(),
                        flags: 0,
                    }),
                    _ => None,
                })
                .collect(),
        }),
    };
    otlp::Metric {
        name: family.name.to_string(),
        description: family.help.to_string(),
        unit: family
            .unit
            .as_deref()
            .map(ucum)
            .unwrap_or_default()
            .to_owned(),
        metadata: Vec::new(),
        data: Some(data),
    }
}

/// A histogram family goes out as an exponential histogram when none of its
/// series has classic buckets and they all have native ones.
fn is_exponential(family: &model::Family) -> bool {
    family.series.iter().all(|series| match &series.value {
        Value::Histogram(histogram) => histogram.bounds.is_empty() && histogram.native.is_some(),
        _ => false,
    })
}

/// The points of a counter, gauge, untyped or info family (info as 1); the
/// cumulative ones (counters) with their `start`.
fn numbers(family: &model::Family, start: Option<u64>, time: u64) -> Vec<otlp::NumberDataPoint> {
    family
        .series
        .iter()
        .map(|series| {
            let exemplars = match &series.value {
                Value::Counter(counter) => counter
                    .exemplar
                    .iter()
                    .map(|exemplar| to_exemplar(exemplar, time))
                    .collect(),
                _ => Vec::new(),
            };
            otlp::NumberDataPoint {
                attributes: attributes(&series.labels),
                start_time_unix_nano: start.unwrap_or(0),
                time_unix_nano: time,
                exemplars,
                flags: 0,
                value: Some(number_data_point::Value::AsDouble(series.value.scalar())),
            }
        })
        .collect()
}

/// A classic histogram: OTLP counts each bucket apart (the model keeps them
/// cumulative), `+Inf`'s last.
fn classic(labels: &Labels, histogram: &model::Histogram, at: Time) -> otlp::HistogramDataPoint {
    let mut bucket_counts = Vec::with_capacity(histogram.bounds.len() + 1);
    let mut below = 0_u64;
    for bucket in 0..=histogram.bounds.len() {
        let cumulative = histogram.cumulative_count(bucket);
        bucket_counts.push(cumulative.saturating_sub(below));
        below = cumulative;
    }
    otlp::HistogramDataPoint {
        attributes: attributes(labels),
        start_time_unix_nano: at.start,
        time_unix_nano: at.time,
        count: histogram.count,
        sum: Some(histogram.sum),
        bucket_counts,
        explicit_bounds: histogram.bounds.to_vec(),
        exemplars: histogram
            .exemplars
            .iter()
            .map(|(_, exemplar)| to_exemplar(exemplar, at.time))
            .collect(),
        flags: 0,
        min: None,
        max: None,
    }
}

/// A native histogram: the same schema as `scale`. Prometheus' bucket `i` holds
/// `(base^(i-1), base^i]`, OTLP's `(base^i, base^(i+1)]`, so OTLP's index is one
/// less.
fn exponential(
    labels: &Labels,
    histogram: &model::Histogram,
    at: Time,
) -> otlp::ExponentialHistogramDataPoint {
    let native = histogram.native.as_deref().cloned().unwrap_or_default();
    otlp::ExponentialHistogramDataPoint {
        attributes: attributes(labels),
        start_time_unix_nano: at.start,
        time_unix_nano: at.time,
        count: histogram.count,
        sum: Some(histogram.sum),
        scale: native.schema,
        zero_count: native.zero_count,
        positive: Some(dense(&native.positive)),
        negative: Some(dense(&native.negative)),
        flags: 0,
        exemplars: histogram
            .exemplars
            .iter()
            .map(|(_, exemplar)| to_exemplar(exemplar, at.time))
            .collect(),
        min: None,
        max: None,
        zero_threshold: native.zero_threshold,
    }
}

/// Sparse `(index, count)` buckets (Prometheus' indexes, increasing) as OTLP's
/// dense run from an offset, the gaps filled with zeros.
fn dense(buckets: &[(i32, u64)]) -> Buckets {
    let Some(&(first, _)) = buckets.first() else {
        return Buckets::default();
    };
    let mut bucket_counts = Vec::new();
    for &(index, count) in buckets {
        let at = (index - first) as usize;
        if bucket_counts.len() <= at {
            bucket_counts.resize(at + 1, 0);
        }
        bucket_counts[at] += count;
    }
    Buckets {
        offset: first - 1,
        bucket_counts,
    }
}

/// An exemplar: `trace_id` and `span_id` as their bytes, its other labels as
/// filtered attributes; at `time` when it has no timestamp of its own.
fn to_exemplar(exemplar: &model::Exemplar, time: u64) -> otlp::Exemplar {
    let mut trace_id = Vec::new();
    let mut span_id = Vec::new();
    let mut filtered_attributes = Vec::new();
    for (name, value) in exemplar.labels.iter() {
        match (name, hex_bytes(value)) {
            ("trace_id", Some(bytes)) if bytes.len() == 16 => trace_id = bytes,
            ("span_id", Some(bytes)) if bytes.len() == 8 => span_id = bytes,
            _ => filtered_attributes.push(string(name, value)),
        }
    }
    otlp::Exemplar {
        filtered_attributes,
        time_unix_nano: exemplar
            .timestamp
            .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
            .map_or(time, |seconds| (seconds * 1e9).round() as u64),
        span_id,
        trace_id,
        value: Some(exemplar::Value::AsDouble(exemplar.value)),
    }
}

/// The bytes of an even number of hex digits.
fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

fn attributes(labels: &Labels) -> Vec<KeyValue> {
    labels
        .iter()
        .map(|(name, value)| string(name, value))
        .collect()
}

fn string(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.to_owned())),
        }),
        ..Default::default()
    }
}

/// A base unit of the model in UCUM, as OTLP writes units.
fn ucum(unit: &str) -> &'static str {
    match unit {
        "seconds" => "s",
        "bytes" => "By",
        "ratio" => "1",
        "celsius" => "Cel",
        "meters" => "m",
        "volts" => "V",
        "amperes" => "A",
        "joules" => "J",
        "grams" => "g",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Counter, Exemplar, Family, Histogram, NativeBuckets, Summary};

    fn request(families: Vec<Family>) -> ExportMetricsServiceRequest {
        let identity = identity::Identity::new("shop")
            .instance("shop-1")
            .version("1.2.3");
        export_request(&model::Snapshot { families }, &identity, 1_000, 5_000)
    }

    fn metrics_of(request: &ExportMetricsServiceRequest) -> &[otlp::Metric] {
        &request.resource_metrics[0].scope_metrics[0].metrics
    }

    fn text(value: &Option<AnyValue>) -> &str {
        match value.as_ref().and_then(|value| value.value.as_ref()) {
            Some(any_value::Value::StringValue(text)) => text,
            other => panic!("not a string: {other:?}"),
        }
    }

    fn pairs(attributes: &[KeyValue]) -> Vec<(&str, &str)> {
        attributes
            .iter()
            .map(|pair| (pair.key.as_str(), text(&pair.value)))
            .collect()
    }

    #[test]
    fn the_resource_is_the_identity() {
        let request = request(Vec::new());
        let resource = request.resource_metrics[0].resource.as_ref().unwrap();
        assert_eq!(
            pairs(&resource.attributes),
            [
                ("service.name", "shop"),
                ("service.instance.id", "shop-1"),
                ("service.version", "1.2.3"),
            ]
        );
        let scope = request.resource_metrics[0].scope_metrics[0]
            .scope
            .as_ref()
            .unwrap();
        assert_eq!(scope.name, "monitor-runtime");
    }

    #[test]
    fn counters_are_cumulative_monotonic_sums_with_their_exemplar() {
        let mut calls = Family::new("calls_duration_seconds_total", "Calls.", Kind::Counter);
        calls.push(
            Labels::new([("result", "ok")]),
            Value::Counter(Counter {
                value: 3.0,
                exemplar: Some(Exemplar {
                    labels: Labels::new([
                        ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
                        ("span_id", "00f067aa0ba902b7"),
                    ]),
                    value: 1.0,
                    timestamp: Some(2.0),
                }),
            }),
        );
        let request = request(vec![calls, Family::new("empty_total", "E.", Kind::Counter)]);
        let metrics = metrics_of(&request);
        assert_eq!(metrics.len(), 1, "a family without series is left out");
        assert_eq!(metrics[0].name, "calls_duration_seconds_total");
        assert_eq!(metrics[0].unit, "s");
        let Some(Data::Sum(sum)) = &metrics[0].data else {
            panic!("{:?}", metrics[0].data)
        };
        assert!(sum.is_monotonic);
        assert_eq!(sum.aggregation_temporality, CUMULATIVE);
        let point = &sum.data_points[0];
        assert_eq!(pairs(&point.attributes), [("result", "ok")]);
        assert_eq!(
            (point.start_time_unix_nano, point.time_unix_nano),
            (1_000, 5_000)
        );
        assert_eq!(point.value, Some(number_data_point::Value::AsDouble(3.0)));
        let exemplar = &point.exemplars[0];
        assert_eq!(
            exemplar.trace_id,
            0x4bf92f3577b34da6a3ce929d0e0e4736_u128.to_be_bytes()
        );
        assert_eq!(exemplar.span_id, 0x00f067aa0ba902b7_u64.to_be_bytes());
        assert!(exemplar.filtered_attributes.is_empty());
        assert_eq!(exemplar.time_unix_nano, 2_000_000_000);
    }

    #[test]
    fn classic_histograms_count_each_bucket_apart() {
        let mut latency = Family::new("latency_seconds", "L.", Kind::Histogram);
        latency.push(
            Labels::empty(),
            Value::Histogram(Histogram::classic(vec![0.1, 1.0], &[2, 0, 3], 4.5)),
        );
        let request = request(vec![latency]);
        let Some(Data::Histogram(histogram)) = &metrics_of(&request)[0].data else {
            panic!()
        };
        assert_eq!(histogram.aggregation_temporality, CUMULATIVE);
        let point = &histogram.data_points[0];
        assert_eq!(point.explicit_bounds, [0.1, 1.0]);
        assert_eq!(point.bucket_counts, [2, 0, 3]);
        assert_eq!((point.count, point.sum), (5, Some(4.5)));
    }

    #[test]
    fn native_histograms_are_exponential_one_index_lower() {
        let mut latency = Family::new("native_seconds", "N.", Kind::Histogram);
        let native = Histogram {
            count: 6,
            sum: 3.0,
            native: Some(Box::new(NativeBuckets {
                schema: 0,
                zero_threshold: 1e-9,
                zero_count: 1,
                positive: vec![(1, 2), (3, 3)],
                negative: Vec::new(),
            })),
            ..Default::default()
        };
        latency.push(Labels::empty(), Value::Histogram(native));
        let request = request(vec![latency]);
        let Some(Data::ExponentialHistogram(histogram)) = &metrics_of(&request)[0].data else {
            panic!()
        };
        let point = &histogram.data_points[0];
        assert_eq!((point.scale, point.zero_count, point.count), (0, 1, 6));
        // (1, 2] holds 2, (4, 8] holds 3: OTLP's buckets 0 and 2 of base 2.
        let positive = point.positive.as_ref().unwrap();
        assert_eq!(positive.offset, 0);
        assert_eq!(positive.bucket_counts, [2, 0, 3]);
        assert!(point.negative.as_ref().unwrap().bucket_counts.is_empty());
    }

    #[test]
    fn gauges_info_and_summaries_keep_their_values() {
        let mut queue = Family::new("queue_depth", "Q.", Kind::Gauge);
        queue.push(Labels::empty(), Value::Gauge(7.0));
        let mut info = Family::new("target_info", "T.", Kind::Info);
        info.push(Labels::new([("service_name", "shop")]), Value::Info);
        let mut summary = Family::new("rpc_seconds", "R.", Kind::Summary);
        summary.push(
            Labels::empty(),
            Value::Summary(Summary {
                count: 4,
                sum: 2.0,
                quantiles: vec![(0.5, 0.4)],
            }),
        );
        let mut process = Family::new(PROCESS_START, "S.", Kind::Gauge);
        process.push(Labels::empty(), Value::Gauge(0.000_002));
        let request = request(vec![process, queue, summary, info]);
        let metrics = metrics_of(&request);
        let Some(Data::Gauge(gauge)) = &metrics[1].data else {
            panic!()
        };
        assert_eq!(
            gauge.data_points[0].value,
            Some(number_data_point::Value::AsDouble(7.0))
        );
        let Some(Data::Summary(summary)) = &metrics[2].data else {
            panic!()
        };
        let point = &summary.data_points[0];
        assert_eq!((point.count, point.sum), (4, 2.0));
        assert_eq!(point.quantile_values[0].value, 0.4);
        assert_eq!(
            point.start_time_unix_nano, 2_000,
            "the process' start comes from the model"
        );
        let Some(Data::Gauge(info)) = &metrics[3].data else {
            panic!()
        };
        assert_eq!(
            info.data_points[0].value,
            Some(number_data_point::Value::AsDouble(1.0))
        );
        assert_eq!(
            pairs(&info.data_points[0].attributes),
            [("service_name", "shop")]
        );
        assert_eq!(points(&request), 4);
    }

    #[test]
    fn the_body_decodes_as_an_export_request() {
        let mut up = Family::new("up", "U.", Kind::Gauge);
        up.push(Labels::empty(), Value::Gauge(1.0));
        let request = request(vec![up]);
        let body = request.encode_to_vec();
        assert_eq!(
            ExportMetricsServiceRequest::decode(body.as_slice()).unwrap(),
            request
        );
    }

    #[test]
    fn only_the_specified_statuses_are_retried() {
        for status in [429, 502, 503, 504] {
            assert!(Otlp::retryable(status), "{status}");
        }
        for status in [400, 401, 404, 413, 500, 501] {
            assert!(!Otlp::retryable(status), "{status}");
        }
    }

    #[test]
    fn invalid_headers_are_left_out_and_names_replace() {
        let export = Otlp::new("http://localhost:4318/v1/metrics")
            .header("authorization", "Bearer a")
            .header("Authorization", "Bearer b")
            .header("bad name", "x")
            .header("X-Ok", "line\nbreak");
        let headers = export.headers();
        assert!(headers.contains(&("Authorization", "Bearer b")));
        assert!(!headers.iter().any(|(_, value)| *value == "Bearer a"));
        assert_eq!(headers.len(), 3, "{headers:?}");
    }
}
