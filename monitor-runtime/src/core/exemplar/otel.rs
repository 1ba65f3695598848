//! OpenTelemetry's ids (feature `opentelemetry`): with `tracing-opentelemetry`
//! installed, the spans of the HTTP layers take their parent from `traceparent` in
//! OpenTelemetry's context, and every id we write (logs, exemplars, propagated
//! headers) is the one its exporter sends.

// Read by the HTTP layers, the logs and the context layer: with the feature alone,
// nothing reads it yet.
#![cfg_attr(
    not(any(
        feature = "http",
        feature = "client",
        feature = "logs",
        feature = "exemplars"
    )),
    allow(dead_code)
)]

use std::str::FromStr;
use std::sync::Arc;

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::context::TraceContext;

/// Our context of an OpenTelemetry span context, when it is valid.
fn from_otel(context: &SpanContext) -> Option<TraceContext> {
    if !context.is_valid() {
        return None;
    }
    TraceContext::with_flag(
        u128::from_be_bytes(context.trace_id().to_bytes()),
        u64::from_be_bytes(context.span_id().to_bytes()),
        context.is_sampled(),
    )
}

/// OpenTelemetry's ids of the span `id` of the current subscriber, if
/// `tracing-opentelemetry` is part of it. Reading them starts the OpenTelemetry
/// span: call it when the span is entered, not before its parent is set.
#[cfg_attr(not(any(feature = "logs", feature = "exemplars")), allow(dead_code))]
pub(crate) fn span_context(id: &tracing::span::Id) -> Option<TraceContext> {
    tracing::dispatcher::get_default(|dispatch| {
        tracing_opentelemetry::get_otel_context(id, dispatch)
    })
    .and_then(|context| from_otel(context.span().span_context()))
}

/// A span's OpenTelemetry ids and `tracestate`, its parent set first to the remote
/// `parent` (read from a request's headers) when there is one; `None` when the span
/// is disabled or no `tracing-opentelemetry` layer records it.
#[cfg_attr(not(any(feature = "http", feature = "client")), allow(dead_code))]
pub(crate) fn adopt(
    span: &tracing::Span,
    parent: Option<(TraceContext, Option<&str>)>,
) -> Option<(TraceContext, Option<Arc<str>>)> {
    if span.is_disabled() {
        return None;
    }
    if let Some((parent, state)) = parent {
        let state = state
            .and_then(|state| TraceState::from_str(state).ok())
            .unwrap_or_default();
        let flags = if parent.sampled() {
            TraceFlags::SAMPLED
        } else {
            TraceFlags::default()
        };
        let remote = SpanContext::new(
            TraceId::from_bytes(parent.trace_id().to_be_bytes()),
            SpanId::from_bytes(parent.span_id().to_be_bytes()),
            flags,
            true,
            state,
        );
        span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote))
            .ok()?;
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    let trace = from_otel(&span_context)?;
    let state = span_context.trace_state().header();
    Some((trace, (!state.is_empty()).then(|| Arc::from(state))))
}
