//! [`ContextLayer`]: the trace of the current span, as the current thread's context
//! while the span is entered.

use std::cell::RefCell;

use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{Extensions, LookupSpan};

use super::context::{TraceContext, set_current};

/// How a span's trace is found among the extensions other layers keep for it (the
/// data of `tracing-opentelemetry`, for example).
type Lookup = dyn Fn(&Extensions<'_>) -> Option<TraceContext> + Send + Sync;

/// A `tracing-subscriber` layer that makes the trace of the current span the
/// thread's context, so that exemplars (and anything reading
/// [`current`](super::current)) carry it.
///
/// A span's trace is, in this order: what the lookup given to [`ContextLayer::with_lookup`]
/// finds in the span's extensions; its fields `trace_id` (32 hex digits) and
/// `span_id` (16), recorded when it is made or later; its parent's.
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

/// A span's trace, kept in its extensions.
#[derive(Clone, Copy)]
struct SpanTrace(TraceContext);

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
        if matches!(field.name(), "trace_id" | "span_id") {
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
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let own = {
            let extensions = span.extensions();
            self.lookup.as_ref().and_then(|lookup| lookup(&extensions))
        };
        let trace = own.or_else(|| fields.context()).or_else(|| {
            span.parent()
                .and_then(|parent| parent.extensions().get::<SpanTrace>().copied())
                .map(|trace| trace.0)
        });
        if let Some(trace) = trace {
            span.extensions_mut().insert(SpanTrace(trace));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        values.record(&mut fields);
        if let (Some(context), Some(span)) = (fields.context(), ctx.span(id)) {
            span.extensions_mut().replace(SpanTrace(context));
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let trace = ctx.span(id).and_then(|span| {
            let extensions = span.extensions();
            extensions
                .get::<SpanTrace>()
                .map(|trace| trace.0)
                .or_else(|| self.lookup.as_ref().and_then(|lookup| lookup(&extensions)))
        });
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
