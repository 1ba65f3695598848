//! Structured logs: one JSON object per line, carrying the fields of the spans an
//! event happened in, with secret-looking fields redacted. Feature `logs`.
//!
//! [`install`] sets it up as the global `tracing` subscriber, writing to standard
//! output; [`JsonLayer`] is the same as a `tracing-subscriber` layer to combine
//! with others. Each line has:
//!
//! | key | value |
//! |---|---|
//! | `timestamp` | RFC 3339, UTC, milliseconds |
//! | `level`, `target`, `message` | the event's |
//! | `fields` | the event's other fields |
//! | `function`, `module` | the innermost span's name and target: for a `#[monitored]` call, the function and its module |
//! | `trace_id`, `span_id` | the innermost span's ids in W3C hex (32 and 16 digits): the request's trace for the spans of the HTTP layers (from `traceparent`), OpenTelemetry's ids with `tracing-opentelemetry` installed (feature `opentelemetry`), else a span inherits its parent's trace id with an id of its own, and a root span starts a new trace; the same ids exemplars carry |
//! | `span` | the innermost span's fields (`result`, `error` for a monitored call) |
//! | `spans` | every span of the event, root first: `name`, `module`, `span_id` and its fields |
//!
//! A field whose name looks secret (`password`, `api_key`, `authToken`, ...: the
//! list of the naming rule M060 that refuses such labels) is written as
//! `"[redacted]"`, in events and in spans alike.
//!
//! ```
//! use std::io::Write;
//! use std::sync::{Arc, Mutex};
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! #[derive(Clone, Default)]
//! struct Buffer(Arc<Mutex<Vec<u8>>>);
//! impl Write for Buffer {
//!     fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().write(bytes) }
//!     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
//! }
//!
//! #[monitor_runtime::monitored]
//! fn log_in(user: &str, password: &str) -> bool {
//!     tracing::info!(user, password, "logging in");
//!     !password.is_empty()
//! }
//!
//! let buffer = Buffer::default();
//! let subscriber = tracing_subscriber::registry().with(monitor_runtime::logs::JsonLayer::new(buffer.clone()));
//! tracing::subscriber::with_default(subscriber, || log_in("ada", "hunter2"));
//!
//! let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
//! let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
//! assert_eq!(line["message"], "logging in");
//! assert_eq!(line["function"], "log_in");
//! assert_eq!(line["fields"]["user"], "ada");
//! assert_eq!(line["fields"]["password"], "[redacted]");
//! assert_eq!(line["trace_id"].as_str().unwrap().len(), 32);
//! ```

mod secret_words;

use std::fmt;
use std::io::Write;
use std::sync::Mutex;
use std::time::SystemTime;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

use crate::core::exemplar::spans;
use crate::core::ignore_poison;

/// What a secret field's value is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// Whether a field named `name` is redacted: its words (split at `_` and camelCase)
/// include a secret word (`password`, `token`, `secret`, `cookie`, ...) or pair
/// (`api_key`, `private_key`, ...).
///
/// ```
/// use monitor_runtime::logs::is_secret;
/// assert!(is_secret("password"));
/// assert!(is_secret("userPassword"));
/// assert!(is_secret("api_key"));
/// assert!(!is_secret("user"));
/// assert!(!is_secret("keyboard"));
/// ```
pub fn is_secret(name: &str) -> bool {
    secret_words::secret_word(name).is_some()
}

/// Why [`install`] did not install the subscriber.
///
/// ```
/// let error = monitor_runtime::logs::LogsError::Filter("x=loud".into());
/// assert!(error.to_string().contains("RUST_LOG"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogsError {
    /// `RUST_LOG` is not a filter (`info`, `warn,my_crate=debug`, ...).
    Filter(String),
    /// Another global subscriber is installed already.
    AlreadyInstalled,
}

impl fmt::Display for LogsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogsError::Filter(reason) => write!(
                f,
                "RUST_LOG is not a log filter ({reason}): write levels and targets such as `info` or `warn,my_crate=debug`"
            ),
            LogsError::AlreadyInstalled => {
                f.write_str("a global tracing subscriber is installed already")
            }
        }
    }
}

impl std::error::Error for LogsError {}

/// Installs the JSON subscriber as the global default: lines on standard output,
/// the levels and targets of `RUST_LOG` (`info` when it is unset or empty).
///
/// ```no_run
/// monitor_runtime::logs::install().expect("JSON logs");
/// tracing::info!(order = 42, "order placed");
/// ```
///
/// # Errors
///
/// [`LogsError::Filter`] for a `RUST_LOG` that is not a filter,
/// [`LogsError::AlreadyInstalled`] when a subscriber is set.
pub fn install() -> Result<(), LogsError> {
    let subscriber = tracing_subscriber::registry().with(layer()?);
    tracing::subscriber::set_global_default(subscriber).map_err(|_| LogsError::AlreadyInstalled)
}

/// The layer [`install`] installs, to combine with layers of your own in a
/// subscriber you install yourself: JSON lines on standard output, the levels and
/// targets of `RUST_LOG` (`info` when it is unset or empty).
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry().with(monitor_runtime::logs::layer().unwrap());
/// # let _ = subscriber;
/// ```
///
/// # Errors
///
/// [`LogsError::Filter`] for a `RUST_LOG` that is not a filter.
pub fn layer<S>() -> Result<impl tracing_subscriber::Layer<S> + Send + Sync, LogsError>
where
    S: tracing::Subscriber + for<'lookup> tracing_subscriber::registry::LookupSpan<'lookup>,
{
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) if !value.trim().is_empty() => value
            .parse::<Targets>()
            .map_err(|error| LogsError::Filter(error.to_string()))?,
        _ => Targets::new().with_default(tracing::Level::INFO),
    };
    Ok(JsonLayer::new(std::io::stdout()).with_filter(filter))
}

/// The layer writing one JSON line per event to `W` (see the [module](self)).
///
/// ```
/// use monitor_runtime::logs::JsonLayer;
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry().with(JsonLayer::new(std::io::stderr()));
/// tracing::subscriber::with_default(subscriber, || tracing::info!(order = 7, "placed"));
/// ```
pub struct JsonLayer<W> {
    writer: Mutex<W>,
}

impl<W> fmt::Debug for JsonLayer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLayer").finish_non_exhaustive()
    }
}

impl<W: Write + Send + 'static> JsonLayer<W> {
    /// A layer writing to `writer` (standard output, a file, a buffer).
    ///
    /// ```
    /// let layer = monitor_runtime::logs::JsonLayer::new(std::io::stderr());
    /// # let _ = layer;
    /// ```
    pub fn new(writer: W) -> Self {
        Self {
            writer: Mutex::new(writer),
        }
    }
}

/// What the layer keeps of a span: its fields (its ids are the trace of
/// `core::exemplar::spans`, which the exemplars share).
struct SpanData {
    fields: Map<String, Value>,
}

/// Records a span's fields but its ids, which a line writes at its top.
fn record_span_fields(fields: &mut Map<String, Value>, record: impl FnOnce(&mut JsonVisitor<'_>)) {
    record(&mut JsonVisitor(fields));
    fields.retain(|name, _| !spans::is_id_field(name));
}

impl<S, W> Layer<S> for JsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: Write + Send + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        spans::on_new_span(&span, attrs, None);
        let mut fields = Map::new();
        record_span_fields(&mut fields, |visitor| attrs.record(visitor));
        span.extensions_mut().insert(SpanData { fields });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        spans::on_record(&span, values);
        if let Some(data) = span.extensions_mut().get_mut::<SpanData>() {
            record_span_fields(&mut data.fields, |visitor| values.record(visitor));
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        // Settled at the first entry, where OpenTelemetry's ids can be read.
        if let Some(span) = ctx.span(id) {
            spans::resolve(&span, true);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        let mut fields = Map::new();
        event.record(&mut JsonVisitor(&mut fields));
        let message = fields
            .remove("message")
            .unwrap_or(Value::String(String::new()));
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            Value::String(rfc3339(SystemTime::now())),
        );
        line.insert("level".into(), Value::String(metadata.level().to_string()));
        line.insert("target".into(), Value::String(metadata.target().to_owned()));
        line.insert("message".into(), message);
        line.insert("fields".into(), Value::Object(fields));
        let mut spans = Vec::new();
        if let Some(scope) = ctx.event_scope(event) {
            for (depth, span) in scope.enumerate() {
                let trace = spans::resolve(&span, false);
                let extensions = span.extensions();
                let Some(data) = extensions.get::<SpanData>() else {
                    continue;
                };
                if depth == 0 {
                    line.insert("function".into(), Value::String(span.name().to_owned()));
                    line.insert(
                        "module".into(),
                        Value::String(span.metadata().target().to_owned()),
                    );
                    line.insert("trace_id".into(), Value::String(trace.trace_id_hex()));
                    line.insert("span_id".into(), Value::String(trace.span_id_hex()));
                    line.insert("span".into(), Value::Object(data.fields.clone()));
                }
                let mut entry = Map::new();
                entry.insert("name".into(), Value::String(span.name().to_owned()));
                entry.insert(
                    "module".into(),
                    Value::String(span.metadata().target().to_owned()),
                );
                entry.insert("span_id".into(), Value::String(trace.span_id_hex()));
                for (key, value) in &data.fields {
                    entry.entry(key.clone()).or_insert_with(|| value.clone());
                }
                spans.push(Value::Object(entry));
            }
        }
        spans.reverse();
        line.insert("spans".into(), Value::Array(spans));
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        // A log line that cannot be written is dropped: logging must not fail the caller.
        let _ = ignore_poison(self.writer.lock()).write_all(text.as_bytes());
    }
}

/// Records fields into a JSON object, redacting secret-looking ones. Fields
/// without a value yet (`field::Empty`) are not visited, so they stay absent.
struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl JsonVisitor<'_> {
    fn insert(&mut self, field: &Field, value: Value) {
        let name = field.name();
        let value = if name != "message" && is_secret(name) {
            Value::String(REDACTED.to_owned())
        } else {
            value
        };
        self.0.insert(name.to_owned(), value);
    }
}

impl Visit for JsonVisitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(
            field,
            serde_json::Number::from_f64(value)
                .map_or_else(|| Value::String(value.to_string()), Value::Number),
        );
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, Value::from(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Value::from(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.insert(field, Value::String(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.insert(field, Value::String(format!("{value:?}")));
    }
}

/// `2026-11-23T23:10:00.123Z`.
fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn formats_timestamps() {
        let time = UNIX_EPOCH + std::time::Duration::from_millis(1_795_993_800_123);
        assert_eq!(rfc3339(time), "2026-11-29T23:10:00.123Z");
    }
}
