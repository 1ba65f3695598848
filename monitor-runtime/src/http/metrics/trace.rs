//! The trace of a request: W3C Trace Context read from its headers (or a new
//! trace), the server span it runs in, and the context its handler sees.

use std::sync::Arc;

use axum::http::header::HeaderName;
use axum::http::{HeaderMap, Request, Version};

use crate::core::exemplar::w3c::{self, Invalid, count_invalid};
use crate::core::exemplar::{self, TraceContext, swap_tracestate};

/// The header names of W3C Trace Context.
pub(crate) const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
pub(crate) const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");

/// What a layer does with traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TraceSettings {
    /// Open a server span per request and run the handler in its context.
    pub(super) enabled: bool,
    /// Continue the trace of an incoming `traceparent` (else every request starts
    /// a new trace).
    pub(super) trust_incoming: bool,
}

impl Default for TraceSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            trust_incoming: true,
        }
    }
}

/// The parent a request names in its headers, and its `tracestate`: `None` when it
/// names none or an invalid one (counted).
#[inline(always)]
pub(crate) fn incoming(headers: &HeaderMap) -> Option<(TraceContext, Option<Arc<str>>)> {
    let mut values = headers.get_all(TRACEPARENT).into_iter();
    let first = values.next()?;
    if values.next().is_some() {
        count_invalid(Invalid::Multiple);
        return None;
    }
    let (trace_id, parent_id, sampled) = w3c::parse_traceparent(first.as_bytes())
        .map_err(count_invalid)
        .ok()?;
    let parent = TraceContext::with_flag(trace_id, parent_id, sampled)?;
    let state = w3c::parse_tracestate(headers.get_all(TRACESTATE).iter().map(|v| v.as_bytes()))
        .unwrap_or_else(|reason| {
            count_invalid(reason);
            None
        });
    Some((parent, state))
}

/// The span's name in OpenTelemetry: `{method} {route}`, or the method alone for
/// a request no route matched.
pub(super) fn span_name(method: &str, route: Option<&str>) -> Box<str> {
    match route {
        Some(route) => format!("{method} {route}").into(),
        None => method.into(),
    }
}

fn protocol_version(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => "1.1",
    }
}

/// The trace of one request until its response body ends: its context, and
/// (boxed, so that a request without them carries one word) its span when a
/// subscriber records it and its `tracestate` when it came with one.
pub(super) struct RequestTrace {
    pub(super) context: TraceContext,
    extra: Option<Box<Extra>>,
}

struct Extra {
    span: tracing::Span,
    tracestate: Option<Arc<str>>,
}

impl RequestTrace {
    /// The trace of `request` to `route` (`None`: no route matched); `name` gives
    /// its span's name, asked for only when a subscriber may record the span.
    pub(super) fn start<'n, B>(
        request: &Request<B>,
        settings: TraceSettings,
        method: &'static str,
        route: Option<&str>,
        name: impl FnOnce() -> &'n str,
    ) -> Self {
        let parent = if settings.trust_incoming {
            incoming(request.headers())
        } else {
            None
        };
        // No parent named: the trace the thread runs in, if any (a router called
        // in process from traced code).
        let (parent, tracestate) = match parent {
            Some((parent, state)) => (Some(parent), state),
            None => (exemplar::current_raw(), None),
        };
        let context = parent.map_or_else(TraceContext::random, |parent| parent.child());
        if !exemplar::spans_enabled(tracing::Level::INFO) {
            // No subscriber records INFO spans: the context alone.
            let extra = tracestate.map(|tracestate| {
                Box::new(Extra {
                    span: tracing::Span::none(),
                    tracestate: Some(tracestate),
                })
            });
            return Self { context, extra };
        }
        let span = tracing::info_span!(
            target: "monitor_runtime::http",
            "HTTP request",
            otel.name = name(),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            http.request.method = method,
            http.route = route,
            url.path = request.uri().path(),
            network.protocol.version = protocol_version(request.version()),
            http.response.status_code = tracing::field::Empty,
            trace_id = tracing::field::Empty,
            span_id = tracing::field::Empty,
        );
        // With OpenTelemetry installed, its span takes the incoming parent and its ids
        // are the ones used: the layers after it read them from OpenTelemetry, so
        // they are not recorded as fields (which it would export as attributes).
        let (context, tracestate) = exemplar::span_ids::settle(&span, parent, context, tracestate);
        let extra = (!span.is_disabled() || tracestate.is_some())
            .then(|| Box::new(Extra { span, tracestate }));
        Self { context, extra }
    }

    /// Runs `work` in the request's trace: its span entered, its context (and
    /// `tracestate`) the thread's.
    #[inline]
    pub(super) fn scope<R>(&mut self, work: impl FnOnce() -> R) -> R {
        let _context = exemplar::enter(self.context);
        let Some(extra) = &mut self.extra else {
            return work();
        };
        let _span = extra.span.enter();
        swap_tracestate(&mut extra.tracestate);
        let output = work();
        swap_tracestate(&mut extra.tracestate);
        output
    }

    /// Records the answer's status on the span (a `5xx` is an error of the server).
    pub(super) fn status(&self, status: u16) {
        let Some(extra) = &self.extra else {
            return;
        };
        if extra.span.is_disabled() {
            return;
        }
        extra.span.record("http.response.status_code", status);
        if status >= 500 {
            extra.span.record("otel.status_code", "ERROR");
        }
    }
}
