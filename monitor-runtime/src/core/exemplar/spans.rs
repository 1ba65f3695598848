//! The trace of each `tracing` span, one for every layer that needs it: the JSON
//! logs write its ids, [`ContextLayer`](super::ContextLayer) makes it the thread's
//! context. Whichever layer asks first settles it, in the span's extensions, so
//! that both always agree.
//!
//! A span's trace is, in this order:
//! 1. the one a lookup of the application finds in the span's extensions;
//! 2. its fields `trace_id` (32 hex digits) and `span_id` (16), given when it is
//!    made or recorded later (the HTTP layers' spans carry theirs so);
//! 3. with the feature `opentelemetry` and `tracing-opentelemetry` installed,
//!    OpenTelemetry's ids of the span (read when the span is first entered, as
//!    reading them starts the OpenTelemetry span);
//! 4. a new span (random id) of its parent's trace, or of the thread's context;
//! 5. a new trace.

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Record};
use tracing_subscriber::registry::{Extensions, LookupSpan, SpanRef};

use super::context::{TraceContext, current_raw};

/// How a span's trace is found among the extensions other layers keep for it.
pub(crate) type Lookup = dyn Fn(&Extensions<'_>) -> Option<TraceContext> + Send + Sync;

/// A span's trace, kept in its extensions.
#[derive(Clone, Copy)]
pub(crate) struct SpanTrace(pub(crate) TraceContext);

/// The `trace_id` and `span_id` fields of a span.
#[derive(Default)]
struct Fields {
    trace_id: Option<String>,
    span_id: Option<String>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "trace_id" => self.trace_id = Some(value.to_owned()),
            "span_id" => self.span_id = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if is_id_field(field.name()) {
            let text = format!("{value:?}");
            self.record_str(field, text.trim_matches('"'));
        }
    }
}

impl Fields {
    fn context(&self) -> Option<TraceContext> {
        TraceContext::from_hex(self.trace_id.as_deref()?, self.span_id.as_deref()?)
    }
}

/// Whether a field is one of the ids this module reads (the JSON logs write them
/// at the top of a line, not among the span's fields).
pub(crate) fn is_id_field(name: &str) -> bool {
    matches!(name, "trace_id" | "span_id")
}

/// At a span's creation: its trace when it is known already (a lookup, its
/// fields), else left for [`resolve`].
pub(crate) fn on_new_span<S>(span: &SpanRef<'_, S>, attrs: &Attributes<'_>, lookup: Option<&Lookup>)
where
    S: for<'lookup> LookupSpan<'lookup>,
{
    if span.extensions().get::<SpanTrace>().is_some() {
        return;
    }
    let mut fields = Fields::default();
    attrs.record(&mut fields);
    let own = {
        let extensions = span.extensions();
        lookup.and_then(|lookup| lookup(&extensions))
    };
    if let Some(trace) = own.or_else(|| fields.context()) {
        span.extensions_mut().insert(SpanTrace(trace));
    }
}

/// At a record: ids recorded on the span replace its trace (recorded one at a
/// time, the first waits for the second).
pub(crate) fn on_record<S>(span: &SpanRef<'_, S>, values: &Record<'_>)
where
    S: for<'lookup> LookupSpan<'lookup>,
{
    let mut fields = Fields::default();
    values.record(&mut fields);
    if fields.trace_id.is_none() && fields.span_id.is_none() {
        return;
    }
    let mut extensions = span.extensions_mut();
    if let Some(pending) = extensions.remove::<Fields>() {
        fields.trace_id = fields.trace_id.or(pending.trace_id);
        fields.span_id = fields.span_id.or(pending.span_id);
    }
    match fields.context() {
        Some(context) => {
            extensions.replace(SpanTrace(context));
        }
        None => extensions.insert(fields),
    }
}

/// The span's trace, settled now if it was not yet (see the module). `entering`:
/// called where OpenTelemetry's ids may be read (a span being entered).
pub(crate) fn resolve<S>(span: &SpanRef<'_, S>, entering: bool) -> TraceContext
where
    S: for<'lookup> LookupSpan<'lookup>,
{
    if let Some(trace) = span.extensions().get::<SpanTrace>() {
        return trace.0;
    }
    let trace = opentelemetry_ids(span, entering).unwrap_or_else(|| {
        let parent = span
            .parent()
            .map(|parent| resolve(&parent, false))
            .or_else(current_raw);
        parent.map_or_else(TraceContext::random, |parent| parent.child())
    });
    span.extensions_mut().insert(SpanTrace(trace));
    trace
}

/// OpenTelemetry's ids of the span, read when it is being entered (feature
/// `opentelemetry`, with `tracing-opentelemetry` installed).
#[cfg(feature = "opentelemetry")]
fn opentelemetry_ids<S>(span: &SpanRef<'_, S>, entering: bool) -> Option<TraceContext>
where
    S: for<'lookup> LookupSpan<'lookup>,
{
    entering
        .then(|| super::otel::span_context(&span.id()))
        .flatten()
}

#[cfg(not(feature = "opentelemetry"))]
fn opentelemetry_ids<S>(_span: &SpanRef<'_, S>, _entering: bool) -> Option<TraceContext>
where
    S: for<'lookup> LookupSpan<'lookup>,
{
    None
}
