//! The exposition formats, each rendered from a [`Snapshot`]: the only writers of
//! exposition bytes in the crate.
//!
//! | format | content type | carries |
//! |---|---|---|
//! | [`Format::Text`] | `text/plain; version=0.0.4` | every family; histograms as classic buckets only |
//! | [`Format::OpenMetrics`] | `application/openmetrics-text; version=1.0.0` | `# UNIT`, counters named as OpenMetrics names them, info families, exemplars, `# EOF` |
//! | [`Format::Protobuf`] | `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited` | native histograms (beside classic buckets where both are kept), exemplars |
//!
//! A scraper says which it wants in its `Accept` header; [`Format::negotiate`] picks
//! as Prometheus expects, and the text format when the header asks for nothing we
//! speak (curl, older scrapers) or cannot be read.

mod openmetrics;
mod protobuf;
mod text;

use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) use text::{escape_label_value, write_float};

use super::model::Snapshot;

/// The `Content-Type` of `/metrics` in the Prometheus text exposition format 0.0.4,
/// the format served when the scraper asks for no other.
pub(crate) const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// An exposition format of `/metrics`.
///
/// ```
/// use monitor_runtime::Format;
///
/// let format = Format::negotiate(Some("text/plain"));
/// assert_eq!(format, Format::Text);
/// let text = monitor_runtime::render(format);
/// assert!(!text.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics 1.0 text.
    OpenMetrics,
    /// The Prometheus protobuf format, length-delimited `MetricFamily` messages.
    Protobuf,
}

impl Format {
    /// Every format, in the order the runtime prefers them when a scraper accepts
    /// several with the same weight.
    pub const ALL: [Format; 3] = [Format::Protobuf, Format::OpenMetrics, Format::Text];

    /// The `Content-Type` of an exposition in this format.
    ///
    /// ```
    /// use monitor_runtime::Format;
    ///
    /// assert_eq!(Format::Text.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    /// assert!(Format::OpenMetrics.content_type().starts_with("application/openmetrics-text; version=1.0.0"));
    /// ```
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => METRICS_CONTENT_TYPE,
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::Protobuf => {
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
            }
        }
    }

    /// The short name `?format=` takes: `text`, `openmetrics` or `protobuf`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::OpenMetrics => "openmetrics",
            Format::Protobuf => "protobuf",
        }
    }

    /// The format of a short name (`text`, `openmetrics`, `protobuf`), as
    /// `/metrics?format=` takes it to force one whatever the `Accept` header says.
    ///
    /// ```
    /// use monitor_runtime::Format;
    ///
    /// assert_eq!(Format::from_name("openmetrics"), Some(Format::OpenMetrics));
    /// assert_eq!(Format::from_name("yaml"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Format::ALL
            .into_iter()
            .find(|format| format.name().eq_ignore_ascii_case(name))
    }

    /// The format an `Accept` header asks for, as Prometheus negotiates it: the
    /// media range of the highest weight (`q`) that names a format we speak, the
    /// first listed among equals; the text format when none does (or the header is
    /// missing or malformed).
    ///
    /// ```
    /// use monitor_runtime::Format;
    ///
    /// // Prometheus 2.x without native histograms:
    /// let accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::negotiate(Some(accept)), Format::OpenMetrics);
    /// // With `--enable-feature=native-histograms`:
    /// let accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3";
    /// assert_eq!(Format::negotiate(Some(accept)), Format::Protobuf);
    /// assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
    /// assert_eq!(Format::negotiate(Some("application/json")), Format::Text);
    /// assert_eq!(Format::negotiate(None), Format::Text);
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Self {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut best: Option<(f64, Format)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default().to_ascii_lowercase();
            let mut quality = 1.0;
            let mut version = None;
            let mut proto = None;
            let mut encoding = None;
            for parameter in parts {
                let Some((key, value)) = parameter.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.parse::<f64>().unwrap_or(0.0),
                    "version" => version = Some(value.to_owned()),
                    "proto" => proto = Some(value.to_owned()),
                    "encoding" => encoding = Some(value.to_owned()),
                    _ => {}
                }
            }
            if !(quality > 0.0 && quality <= 1.0) {
                continue;
            }
            let format = match media.as_str() {
                "application/vnd.google.protobuf"
                    if proto.as_deref() == Some("io.prometheus.client.MetricFamily")
                        && encoding.as_deref() == Some("delimited") =>
                {
                    Format::Protobuf
                }
                "application/openmetrics-text"
                    if matches!(version.as_deref(), None | Some("1.0.0") | Some("0.0.1")) =>
                {
                    Format::OpenMetrics
                }
                "text/plain" if matches!(version.as_deref(), None | Some("0.0.4")) => Format::Text,
                "text/*" | "*/*" => Format::Text,
                _ => continue,
            };
            if best.is_none_or(|(weight, _)| quality > weight) {
                best = Some((quality, format));
            }
        }
        best.map_or(Format::Text, |(_, format)| format)
    }

    /// Renders `snapshot` in this format.
    pub fn render(self, snapshot: &Snapshot) -> Vec<u8> {
        match self {
            Format::Text => render_text(snapshot).into_bytes(),
            Format::OpenMetrics => openmetrics::render(snapshot).into_bytes(),
            Format::Protobuf => protobuf::render(snapshot),
        }
    }
}

/// Renders `snapshot` in the Prometheus text format 0.0.4.
pub(crate) fn render_text(snapshot: &Snapshot) -> String {
    if TEXT_BROKEN.load(Ordering::Relaxed) {
        return BROKEN_TEXT.to_owned();
    }
    text::render(snapshot)
}

/// Whether the text renderer writes [`BROKEN_TEXT`] instead of the exposition.
static TEXT_BROKEN: AtomicBool = AtomicBool::new(false);

/// What the text renderer writes while it is broken: no sample, no family, not
/// the text format.
const BROKEN_TEXT: &str = "}{ the text rendering is broken on purpose \" =\n";

/// Makes the text renderer write garbage instead of the exposition (`true`), or
/// the exposition again (`false`), for the whole process: the test that proves no
/// reader of the crate (history, embedded alerts, remote-write) reads the text
/// exposition turns it on. Not for applications.
#[doc(hidden)]
pub fn break_text_rendering(broken: bool) {
    TEXT_BROKEN.store(broken, Ordering::Relaxed);
}
