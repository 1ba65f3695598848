//! Prometheus remote-write: snapshots of the model sent as protobuf, snappy
//! compressed, to any receiver.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prost::Message as _;

use super::delivery::{self, Protocol, Settings};
use super::metrics::{DeliveryMetrics, remote_write as metrics};
use super::proto::{Label, Sample, TimeSeries, WriteRequest};
use crate::core::{Background, for_each_sample, identity, model};

/// The default bound of the buffer, in samples.
pub(crate) const DEFAULT_MAX_BUFFERED_SAMPLES: usize = 100_000;
/// The default interval between snapshots.
pub(crate) const DEFAULT_WRITE_INTERVAL: Duration = Duration::from_secs(15);

/// Sends the registry to a Prometheus remote-write receiver (VictoriaMetrics,
/// Thanos Receive, Mimir, Prometheus with `--web.enable-remote-write-receiver`):
/// a snapshot of every series on an interval and one more at
/// [`Background::stop`], each series labelled `job` (the service of
/// [`identity::current`]) and `instance` (its instance), as a scrape would label
/// it, plus [`RemoteWrite::external_label`]s. A label of the application's of the
/// same name is kept as `exported_<name>`, as Prometheus does on a scrape.
///
/// ## Delivery
///
/// Snapshots wait in a buffer, oldest first, and are sent one request each in
/// order (protobuf `WriteRequest`, snappy block compression, remote-write 1.0
/// headers). A send that fails for lack of an answer, with HTTP 5xx or 429 is
/// retried after a backoff that doubles from [`RemoteWrite::backoff`]'s minimum to
/// its maximum, while new snapshots keep being taken: a receiver away for a while
/// loses nothing as long as the buffer holds what was taken meanwhile. Any other
/// refusal (4xx) drops that snapshot, counted in
/// `monitor_remote_write_samples_rejected_total`.
///
/// ## The bound
///
/// The buffer holds at most [`RemoteWrite::max_buffered_samples`] samples
/// (default 100 000); a snapshot that would exceed it
/// drops the oldest snapshots first (a snapshot larger than the bound by itself
/// is dropped whole), and every sample dropped is counted in
/// `monitor_remote_write_samples_dropped_total`. The number waiting is
/// `monitor_remote_write_buffered_samples`; accepted samples count in
/// `monitor_remote_write_samples_sent_total`, retried sends in
/// `monitor_remote_write_retries_total`. At a snapshot per 15 s of a process
/// exposing 2 000 samples, the default holds 12 minutes of outage.
///
/// ## Shutdown
///
/// [`Background::stop`] takes a last snapshot and sends everything buffered,
/// retrying until [`RemoteWrite::flush_deadline`] (default 10 s); it fails with the
/// number of samples left unsent. [`Background::now`] takes a snapshot between two
/// intervals (at the end of a batch of work, say) and has it sent.
///
/// ```no_run
/// use std::time::Duration;
/// use monitor_runtime::push::RemoteWrite;
///
/// # async fn service() {
/// let writes = RemoteWrite::new("http://victoria-metrics:8428/api/v1/write")
///     .interval(Duration::from_secs(15))
///     .external_label("cluster", "eu-1")
///     .max_buffered_samples(200_000)
///     .start();
/// // ... the service runs ...
/// writes.stop().await.expect("everything reached the receiver");
/// # }
/// ```
///
/// A snapshot holds the samples a scrape of `/metrics` would store, read from the
/// model ([`monitor_runtime::snapshot`](crate::snapshot)) with no text written or
/// parsed: counters, gauges, untyped and info series by name, histograms as
/// `<name>_bucket` (with `le`), `<name>_sum` and `<name>_count`, summaries by
/// quantile with their sum and count.
#[derive(Clone)]
pub struct RemoteWrite {
    settings: Settings,
    external_labels: Vec<(String, String)>,
}

impl RemoteWrite {
    /// A writer to the receiver's endpoint `url` (`http://host:8428/api/v1/write`
    /// for VictoriaMetrics, `http://host:9090/api/v1/write` for Prometheus).
    pub fn new(url: &str) -> Self {
        RemoteWrite {
            settings: Settings::new(url, DEFAULT_WRITE_INTERVAL, DEFAULT_MAX_BUFFERED_SAMPLES),
            external_labels: Vec::new(),
        }
    }

    /// The interval between snapshots (default 15 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.settings.set_interval(interval);
        self
    }

    /// The bound of the buffer, in samples (default 100 000).
    pub fn max_buffered_samples(mut self, samples: usize) -> Self {
        self.settings.max_buffered = samples;
        self
    }

    /// How long one request may take (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// The first and the longest wait between retries (default 100 ms and 10 s).
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.settings.set_backoff(min, max);
        self
    }

    /// How long [`Background::stop`] keeps retrying (default 10 s).
    pub fn flush_deadline(mut self, deadline: Duration) -> Self {
        self.settings.flush_deadline = deadline;
        self
    }

    /// Adds a label to every series sent (`cluster`, `region`); `job` and
    /// `instance` replace the identity's.
    pub fn external_label(mut self, name: &str, value: &str) -> Self {
        self.external_labels
            .retain(|(existing, _)| existing != name);
        self.external_labels
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// Starts the snapshots and the sending on the current tokio runtime; the first
    /// snapshot is taken now. See [Shutdown](Self#shutdown) for what
    /// [`Background::stop`] does.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn start(self) -> Background {
        let settings = self.settings.clone();
        delivery::start(self, settings)
    }
}

impl Protocol for RemoteWrite {
    const NAME: &'static str = "remote-write";
    const POINTS: &'static str = "remote-write samples";

    fn snapshot(&self) -> (usize, Vec<u8>) {
        let series = snapshot_series(
            &crate::core::snapshot(),
            &identity::current(),
            &self.external_labels,
            now_ms(),
        );
        let samples = series.iter().map(|series| series.samples.len()).sum();
        (samples, encode(WriteRequest { timeseries: series }))
    }

    fn headers(&self) -> Vec<(&str, &str)> {
        vec![
            ("Content-Type", "application/x-protobuf"),
            ("Content-Encoding", "snappy"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
            (
                "User-Agent",
                concat!("monitor-runtime/", env!("CARGO_PKG_VERSION")),
            ),
        ]
    }

    /// Remote-write 1.0: a 5xx or a 429 is worth retrying, any other 4xx is not.
    fn retryable(status: u16) -> bool {
        status == 429 || status >= 500
    }

    fn metrics() -> &'static DeliveryMetrics {
        metrics()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

fn encode(request: WriteRequest) -> Vec<u8> {
    let protobuf = request.encode_to_vec();
    snap::raw::Encoder::new()
        .compress_vec(&protobuf)
        .expect("snappy compresses any input below 4 GiB")
}

/// Every sample of `snapshot` (those a scrape of its text exposition would store) at
/// `timestamp`, one series each, labelled with `job`, `instance` and `external` (a
/// clashing label of the sample is kept as `exported_<name>`), labels sorted by
/// name as receivers expect.
pub(crate) fn snapshot_series(
    snapshot: &model::Snapshot,
    identity: &identity::Identity,
    external: &[(String, String)],
    timestamp: i64,
) -> Vec<TimeSeries> {
    let mut target: Vec<(String, String)> = vec![
        ("job".to_owned(), identity.service().to_owned()),
        ("instance".to_owned(), identity.instance_id().to_owned()),
    ];
    for (name, value) in external {
        target.retain(|(existing, _)| existing != name);
        target.push((name.clone(), value.clone()));
    }
    let mut series = Vec::new();
    for_each_sample(snapshot, |sample| {
        let mut labels = Vec::with_capacity(sample.series.len() + target.len() + 2);
        labels.push(Label {
            name: "__name__".to_owned(),
            value: sample.name(),
        });
        for (label, value) in sample.labels() {
            let name = if target.iter().any(|(name, _)| name == label) {
                format!("exported_{label}")
            } else {
                label.to_owned()
            };
            labels.push(Label {
                name,
                value: value.to_owned(),
            });
        }
        for (name, value) in &target {
            labels.push(Label {
                name: name.clone(),
                value: value.clone(),
            });
        }
        labels.sort_by(|a, b| a.name.cmp(&b.name));
        series.push(TimeSeries {
            labels,
            samples: vec![Sample {
                value: sample.value,
                timestamp,
            }],
        });
    });
    series
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::{Family, Histogram, Kind, Labels, Value};

    fn labels(series: &TimeSeries) -> Vec<(String, String)> {
        series
            .labels
            .iter()
            .map(|label| (label.name.clone(), label.value.clone()))
            .collect()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn series_carry_the_identity_sorted_labels_and_every_histogram_part() {
        let mut calls = Family::new("calls_total", "Calls.", Kind::Counter);
        calls.push(
            Labels::new([("job", "mine"), ("result", "ok")]),
            Value::counter(3.0),
        );
        let mut latency = Family::new("latency_seconds", "L.", Kind::Histogram);
        latency.push(
            Labels::empty(),
            Value::Histogram(Histogram::classic(vec![0.5, 1.0], &[0, 1, 0], 0.7)),
        );
        let snapshot = model::Snapshot {
            families: vec![calls, latency],
        };
        let identity = identity::Identity::new("shop").instance("shop-1");
        let series = snapshot_series(
            &snapshot,
            &identity,
            &[("cluster".to_owned(), "eu".to_owned())],
            1_000,
        );
        let all: Vec<Vec<(String, String)>> = series.iter().map(labels).collect();
        assert!(all.contains(&vec![
            pair("__name__", "calls_total"),
            pair("cluster", "eu"),
            pair("exported_job", "mine"),
            pair("instance", "shop-1"),
            pair("job", "shop"),
            pair("result", "ok"),
        ]));
        let value = |name: &str, le: Option<&str>| {
            series
                .iter()
                .find(|series| {
                    let labels = labels(series);
                    labels.contains(&pair("__name__", name))
                        && le.is_none_or(|le| labels.contains(&pair("le", le)))
                })
                .map(|series| series.samples[0].value)
        };
        assert_eq!(value("calls_total", None), Some(3.0));
        assert_eq!(value("latency_seconds_bucket", Some("0.5")), Some(0.0));
        assert_eq!(value("latency_seconds_bucket", Some("1")), Some(1.0));
        assert_eq!(value("latency_seconds_bucket", Some("+Inf")), Some(1.0));
        assert_eq!(value("latency_seconds_sum", None), Some(0.7));
        assert_eq!(value("latency_seconds_count", None), Some(1.0));
        assert_eq!(series.len(), 1 + 3 + 2);
        assert!(
            series
                .iter()
                .all(|series| series.samples[0].timestamp == 1_000)
        );
    }

    /// Label values go out as they are (no text format in between to escape them),
    /// infinities as infinities, info series as 1, families without series not at all.
    #[test]
    fn label_values_and_values_arrive_unchanged() {
        let mut x = Family::new("x", "X.", Kind::Gauge);
        x.push(
            Labels::new([("a", "q\"uo,te}"), ("b", "back\\slash\nline")]),
            Value::Gauge(2.5),
        );
        x.push(Labels::new([("a", "inf")]), Value::Gauge(f64::INFINITY));
        let mut info = Family::new("target_info", "T.", Kind::Info);
        info.push(Labels::new([("service_name", "s")]), Value::Info);
        let empty = Family::new("nothing_total", "N.", Kind::Counter);
        let snapshot = model::Snapshot {
            families: vec![empty, info, x],
        };
        let identity = identity::Identity::new("s").instance("i");
        let series = snapshot_series(&snapshot, &identity, &[], 7);
        assert_eq!(series.len(), 3, "{series:?}");
        assert_eq!(
            labels(&series[0]),
            [
                pair("__name__", "target_info"),
                pair("instance", "i"),
                pair("job", "s"),
                pair("service_name", "s"),
            ]
        );
        assert_eq!(series[0].samples[0].value, 1.0);
        assert_eq!(
            labels(&series[1]),
            [
                pair("__name__", "x"),
                pair("a", "q\"uo,te}"),
                pair("b", "back\\slash\nline"),
                pair("instance", "i"),
                pair("job", "s"),
            ]
        );
        assert_eq!(series[1].samples[0].value, 2.5);
        assert_eq!(series[2].samples[0].value, f64::INFINITY);
    }

    #[test]
    fn the_body_is_a_snappy_compressed_write_request() {
        let request = WriteRequest {
            timeseries: vec![TimeSeries {
                labels: vec![Label {
                    name: "__name__".to_owned(),
                    value: "up".to_owned(),
                }],
                samples: vec![Sample {
                    value: 1.0,
                    timestamp: 5,
                }],
            }],
        };
        let body = encode(request.clone());
        let protobuf = snap::raw::Decoder::new().decompress_vec(&body).unwrap();
        assert_eq!(WriteRequest::decode(protobuf.as_slice()).unwrap(), request);
    }
}
