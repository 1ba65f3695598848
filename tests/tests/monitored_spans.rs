//! The tracing span of each monitored call: its name, target and level, the
//! recorded `result` and `error`, per-poll entry for async calls, and no span at all
//! with `span = false`.

use std::collections::HashMap;
use std::future::Future as _;
use std::sync::{Arc, Mutex};

use monitor_runtime::monitored;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

#[derive(Debug, Clone)]
struct CapturedSpan {
    name: &'static str,
    target: String,
    level: Level,
    fields: HashMap<String, String>,
    entered: usize,
    events: Vec<String>,
}

/// A layer that keeps every span it sees, with its recorded fields.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<CapturedSpan>>>);

struct Index(usize);

struct Fields<'a>(&'a mut HashMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = HashMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.0.lock().unwrap();
        spans.push(CapturedSpan {
            name: attrs.metadata().name(),
            target: attrs.metadata().target().to_owned(),
            level: *attrs.metadata().level(),
            fields,
            entered: 0,
            events: Vec::new(),
        });
        let index = spans.len() - 1;
        ctx.span(id).unwrap().extensions_mut().insert(Index(index));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let extensions = span.extensions();
        let index = extensions.get::<Index>().unwrap().0;
        values.record(&mut Fields(&mut self.0.lock().unwrap()[index].fields));
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let span = ctx.span(id).unwrap();
        let index = span.extensions().get::<Index>().unwrap().0;
        self.0.lock().unwrap()[index].entered += 1;
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.event_span(event) {
            let index = span.extensions().get::<Index>().unwrap().0;
            let mut fields = HashMap::new();
            event.record(&mut Fields(&mut fields));
            let message = fields.remove("message").unwrap_or_default();
            self.0.lock().unwrap()[index].events.push(message);
        }
    }
}

/// Runs `f` with a capturing subscriber on this thread and returns the spans seen.
fn capture(f: impl FnOnce()) -> Vec<CapturedSpan> {
    let layer = Capture::default();
    let subscriber = Registry::default().with(layer.clone());
    tracing::subscriber::with_default(subscriber, f);
    layer.0.lock().unwrap().clone()
}

fn only(spans: &[CapturedSpan]) -> &CapturedSpan {
    assert_eq!(spans.len(), 1, "expected exactly one span: {spans:#?}");
    &spans[0]
}

fn field<'a>(span: &'a CapturedSpan, name: &str) -> Option<&'a str> {
    span.fields.get(name).map(String::as_str)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[derive(Debug)]
struct Declined;

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("card declined")
    }
}

#[monitored]
fn charge(amount: u32) -> Result<u32, Declined> {
    tracing::info!("charging");
    if amount > 100 {
        Err(Declined)
    } else {
        Ok(amount)
    }
}

#[test]
fn every_call_gets_an_info_span_named_after_the_function() {
    let spans = capture(|| {
        charge(5).unwrap();
    });
    let span = only(&spans);
    assert_eq!(span.name, "charge");
    assert_eq!(span.target, module_path!());
    assert_eq!(span.level, Level::INFO);
    assert_eq!(span.entered, 1);
    assert_eq!(field(span, "result"), Some("ok"));
    assert_eq!(field(span, "error"), None);
    assert_eq!(span.events, ["charging"], "the body runs inside the span");
}

#[test]
fn an_err_is_recorded_on_the_span_with_display() {
    let spans = capture(|| {
        charge(500).unwrap_err();
    });
    let span = only(&spans);
    assert_eq!(field(span, "result"), Some("error"));
    assert_eq!(field(span, "error"), Some("card declined"));
}

#[derive(Debug)]
#[allow(dead_code)]
struct DebugOnly(u8);

#[monitored(span = "debug")]
fn debug_level() -> Result<(), DebugOnly> {
    Err(DebugOnly(3))
}

#[test]
fn the_level_is_configurable_and_debug_only_errors_use_debug() {
    let spans = capture(|| {
        debug_level().unwrap_err();
    });
    let span = only(&spans);
    assert_eq!(span.level, Level::DEBUG);
    assert_eq!(field(span, "error"), Some("DebugOnly(3)"));
}

#[monitored(span = "warn")]
fn warn_level() {}

#[monitored(span = "trace")]
fn trace_level() {}

#[monitored(span = "error")]
fn error_level() {}

#[test]
fn every_level_can_be_chosen() {
    let spans = capture(|| {
        warn_level();
        trace_level();
        error_level();
    });
    let levels: Vec<_> = spans.iter().map(|span| (span.name, span.level)).collect();
    assert_eq!(
        levels,
        [
            ("warn_level", Level::WARN),
            ("trace_level", Level::TRACE),
            ("error_level", Level::ERROR)
        ]
    );
}

#[monitored(span = false)]
fn untraced() -> Result<(), Declined> {
    tracing::info!("no span around me");
    Err(Declined)
}

#[monitored(span = false)]
async fn untraced_async() -> u8 {
    1
}

#[test]
fn span_false_creates_no_span() {
    let spans = capture(|| {
        untraced().unwrap_err();
        assert_eq!(block_on(untraced_async()), 1);
    });
    assert!(spans.is_empty(), "{spans:#?}");
}

#[monitored]
async fn yields_twice() -> Result<u8, Declined> {
    tracing::info!("before");
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    tracing::info!("after");
    Err(Declined)
}

#[test]
fn an_async_call_enters_its_span_on_every_poll() {
    let spans = capture(|| {
        block_on(yields_twice()).unwrap_err();
    });
    let span = only(&spans);
    assert_eq!(span.name, "yields_twice");
    assert_eq!(span.entered, 3, "one entry per poll");
    assert_eq!(span.events, ["before", "after"]);
    assert_eq!(field(span, "result"), Some("error"));
    assert_eq!(field(span, "error"), Some("card declined"));
}

#[monitored]
fn panics() {
    panic!("boom");
}

#[monitored]
async fn pending_forever() {
    std::future::pending::<()>().await;
}

#[test]
fn panics_and_cancellations_are_recorded_on_the_span() {
    let spans = capture(|| {
        assert!(std::panic::catch_unwind(panics).is_err());
        let mut future = Box::pin(pending_forever());
        let waker = std::task::Waker::noop();
        assert!(
            future
                .as_mut()
                .poll(&mut std::task::Context::from_waker(waker))
                .is_pending()
        );
        drop(future);
    });
    assert_eq!(spans.len(), 2, "{spans:#?}");
    assert_eq!(field(&spans[0], "result"), Some("error"));
    assert_eq!(field(&spans[0], "error"), Some("panicked"));
    assert_eq!(field(&spans[1], "result"), Some("cancelled"));
}

struct Ledger;

#[monitored(span = "debug")]
impl Ledger {
    fn post(&self) {}
}

#[test]
fn impl_block_methods_have_spans_named_type_method() {
    let spans = capture(|| Ledger.post());
    let span = only(&spans);
    assert_eq!(span.name, "Ledger::post");
    assert_eq!(span.level, Level::DEBUG);
}
