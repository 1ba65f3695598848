//! [`ContextLayer`]: the trace of the current span, as the current thread's context
//! while the span is entered.

use std::cell::RefCell;

use tracing::Subscriber;
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{Extensions, LookupSpan};

use super::context::{TraceContext, set_current};
use super::spans::{self, Lookup};

/// A `tracing-subscriber` layer that makes the trace of the current span the
/// thread's context, so that exemplars (and anything reading
/// [`current`](super::current)) carry it.
///
/// A span's trace is, in this order: what the lookup given to [`ContextLayer::with_lookup`]
/// finds in the span's extensions; its fields `trace_id` (32 hex digits) and
/// `span_id` (16), recorded when it is made or later (the spans of the HTTP server
/// and client layers carry theirs); with the feature `opentelemetry` and
/// `tracing-opentelemetry` installed before this layer, OpenTelemetry's ids of the
/// span; a new span id in its parent's trace; a new trace. The JSON logs
/// ([`logs`](crate::logs)) write the same ids.
///
/// ```
/// use monitor_runtime::exemplars::{self, ContextLayer};
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry().with(ContextLayer::new());
/// tracing::subscriber::with_default(subscriber, || {
///     let request = tracing::info_span!(
///         "request",
///         trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
///         span_id = "00f067aa0ba902b7",
///     );
///     let _entered = request.enter();
///     let inner = tracing::info_span!("query");
///     let _inner = inner.enter();
///     let context = exemplars::current().unwrap();
///     assert_eq!(context.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// });
/// assert_eq!(exemplars::current(), None);
/// ```
pub struct ContextLayer {
    lookup: Option<Box<Lookup>>,
}

impl std::fmt::Debug for ContextLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextLayer")
            .field("lookup", &self.lookup.is_some())
            .finish()
    }
}

impl Default for ContextLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ContextLayer {
    /// A layer that reads spans' `trace_id` and `span_id` fields.
    pub fn new() -> Self {
        Self { lookup: None }
    }

    /// A layer that first asks `lookup` for a span's trace, given the extensions
    /// other layers keep for the span (put this layer after them).
    ///
    /// ```
    /// use monitor_runtime::exemplars::{ContextLayer, TraceContext};
    ///
    /// /// What another layer of the application keeps for each span.
    /// struct MyTrace(u128, u64);
    ///
    /// let layer = ContextLayer::with_lookup(|extensions| {
    ///     let trace = extensions.get::<MyTrace>()?;
    ///     TraceContext::new(trace.0, trace.1)
    /// });
    /// # let _ = layer;
    /// ```
    pub fn with_lookup(
        lookup: impl Fn(&Extensions<'_>) -> Option<TraceContext> + Send + Sync + 'static,
    ) -> Self {
        Self {
            lookup: Some(Box::new(lookup)),
        }
    }
}

thread_local! {
    /// For each span entered on this thread, the context its entry replaced, if it
    /// set one.
    static ENTERED: RefCell<Vec<Option<Option<TraceContext>>>> = const { RefCell::new(Vec::new()) };
}

impl<S> Layer<S> for ContextLayer
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            spans::on_new_span(&span, attrs, self.lookup.as_deref());
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            spans::on_record(&span, values);
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let trace = ctx.span(id).map(|span| spans::resolve(&span, true));
        let replaced = trace.map(|trace| set_current(Some(trace)));
        let _ = ENTERED.try_with(|entered| entered.borrow_mut().push(replaced));
    }

    fn on_exit(&self, _id: &Id, _ctx: Context<'_, S>) {
        let replaced = ENTERED
            .try_with(|entered| entered.borrow_mut().pop())
            .ok()
            .flatten();
        // The entry of a span that set a context holds the one it replaced.
        if let Some(Some(previous)) = replaced {
            set_current(previous);
        }
    }
}
