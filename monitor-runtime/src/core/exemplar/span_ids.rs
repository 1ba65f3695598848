//! The ids of an HTTP layer's span (the server's, the client's): OpenTelemetry's
//! when it records the span, else ours, recorded on the span as its `trace_id`
//! and `span_id` fields for the layers that read them.

use std::sync::Arc;

use super::context::{Hex, TraceContext};

/// The trace `span` runs in and its `tracestate`: with the feature
/// `opentelemetry` and `tracing-opentelemetry` recording the span, its own (its
/// parent set first to the remote `parent`, with `state`, when there is one), which
/// the layers after it read from OpenTelemetry; else `context` and `state`,
/// recorded on an enabled span.
pub(crate) fn settle(
    span: &tracing::Span,
    parent: Option<TraceContext>,
    context: TraceContext,
    state: Option<Arc<str>>,
) -> (TraceContext, Option<Arc<str>>) {
    #[cfg(feature = "opentelemetry")]
    if let Some(own) = super::otel::adopt(span, parent.map(|parent| (parent, state.as_deref()))) {
        return own;
    }
    #[cfg(not(feature = "opentelemetry"))]
    let _ = parent;
    if !span.is_disabled() {
        span.record("trace_id", tracing::field::display(Hex(context.trace_id())));
        span.record("span_id", tracing::field::display(Hex(context.span_id())));
    }
    (context, state)
}
