//! A small service whose traces, logs and metrics share one trace id: the recipe
//! for traces, written to be copied (and the two services of the end-to-end trace
//! test, `tests/tests/trace_e2e.rs`).
//!
//! ```text
//! trace_service [--port N] [--downstream URL] [--otlp URL]
//! ```
//!
//! - `--port N`: the port on 127.0.0.1 (0, the default: a free one); the bound
//!   address is printed first, as `listening on ADDR`, then the JSON log lines.
//! - `--downstream URL`: `GET /checkout` calls `GET {URL}/stock` and answers with
//!   what it said (without it, `/checkout` answers alone).
//! - `--otlp URL`: spans exported over OTLP/HTTP (protobuf) to `{URL}/v1/traces`
//!   (a collector's port 4318), by `tracing-opentelemetry`, whose ids the logs and
//!   exemplars then carry. Without it the ids are W3C-valid ids of our own.
//!
//! Routes: `GET /checkout`, `GET /stock`, and the monitoring routes
//! (`/metrics`, `/health/*`, the dashboard). The service's name is its identity
//! (`MONITOR_SERVICE`, see `monitor_runtime::identity`): `target_info` of the
//! metrics and `service.name` of the spans. It stops on SIGTERM or when its
//! standard input closes, sending the spans it still holds.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use monitor_runtime::client::{HttpClientMetrics, HttpClientMetricsLayer};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_runtime::monitored;
use opentelemetry::KeyValue;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tower::{ServiceBuilder, ServiceExt};
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The command line.
struct Arguments {
    port: u16,
    downstream: Option<String>,
    otlp: Option<String>,
}

impl Arguments {
    fn parse() -> Self {
        let mut arguments = Arguments {
            port: 0,
            downstream: None,
            otlp: None,
        };
        let mut words = std::env::args().skip(1);
        while let Some(word) = words.next() {
            let mut value = || {
                words
                    .next()
                    .unwrap_or_else(|| usage(&format!("{word} needs a value")))
            };
            match word.as_str() {
                "--port" => {
                    let port = value();
                    arguments.port = port
                        .parse()
                        .unwrap_or_else(|_| usage(&format!("--port {port}: not a port")));
                }
                "--downstream" => arguments.downstream = Some(value()),
                "--otlp" => arguments.otlp = Some(value()),
                _ => usage(&format!("unknown argument {word}")),
            }
        }
        arguments
    }
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "trace_service: {problem}\nusage: trace_service [--port N] [--downstream URL] [--otlp URL]"
    );
    std::process::exit(2)
}

/// The tracer provider: spans batched and sent over OTLP/HTTP to `{endpoint}/v1/traces`,
/// under the service's identity.
fn tracer_provider(endpoint: &str) -> SdkTracerProvider {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()
        .expect("an OTLP endpoint URL");
    // One name for the service in metrics (`target_info`) and in traces.
    let identity = monitor_runtime::identity::current();
    let resource = Resource::builder()
        .with_service_name(identity.service().to_owned())
        .with_attribute(KeyValue::new(
            "service.instance.id",
            identity.instance_id().to_owned(),
        ))
        .build();
    SdkTracerProvider::builder()
        // A background thread sends a batch every few seconds (`OTEL_BSP_SCHEDULE_DELAY`)
        // and what is left at `shutdown`.
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build()
}

/// The outgoing HTTP client: hyper-util's pooled client, each call measured and
/// traced by the client layer, which sends `traceparent` on.
type Downstream = HttpClientMetrics<Client<HttpConnector, Empty<Bytes>>>;

#[derive(Clone)]
struct App {
    client: Downstream,
    downstream: Option<String>,
}

/// `GET /checkout`: asks the downstream service for stock (inside the request's
/// server span, so the client span is its child).
async fn checkout(State(app): State<App>) -> String {
    let Some(downstream) = app.downstream else {
        tracing::info!("checkout answered alone");
        return "checked out".to_owned();
    };
    let request = axum::http::Request::get(format!("{downstream}/stock"))
        .body(Empty::new())
        .expect("a valid request");
    let stock = match app.client.oneshot(request).await {
        Ok(response) => match response.into_body().collect().await {
            Ok(body) => String::from_utf8_lossy(&body.to_bytes()).into_owned(),
            Err(error) => format!("no stock: {error}"),
        },
        Err(error) => format!("no stock: {error}"),
    };
    tracing::info!(stock = %stock, "checkout answered");
    format!("checked out, {stock}")
}

/// A monitored call: its span is a child of the request's server span.
#[monitored]
fn count_stock(traceparent: &str) -> u32 {
    tracing::info!(traceparent, "stock counted");
    42
}

/// `GET /stock`: logs the `traceparent` it was called with.
async fn stock(headers: HeaderMap) -> String {
    let traceparent = headers
        .get("traceparent")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    format!("{} in stock", count_stock(traceparent))
}

/// SIGTERM, or the end of standard input (a parent process that went away).
async fn stop_requested() {
    let (closed, stdin_closed) = tokio::sync::oneshot::channel::<()>();
    // A thread of its own: a blocking read would hold the runtime's shutdown.
    std::thread::spawn(move || {
        std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink()).ok();
        closed.send(()).ok();
    });
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a SIGTERM handler");
    tokio::select! {
        _ = terminate.recv() => {}
        _ = stdin_closed => {}
    }
}

#[tokio::main]
async fn main() {
    let arguments = Arguments::parse();

    // Traces: with an OTLP endpoint, tracing-opentelemetry turns our spans into
    // OpenTelemetry spans (their ids are then the ones logs and exemplars carry).
    let provider = arguments.otlp.as_deref().map(tracer_provider);
    // INFO and above: the spans of our layers and of `#[monitored]`, not the
    // debug events of the libraries below.
    let opentelemetry = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("trace_service"))
            .with_filter(LevelFilter::INFO)
    });
    tracing_subscriber::registry()
        .with(opentelemetry)
        // The current span's trace as the thread's context, for exemplars (after
        // the OpenTelemetry layer, whose ids it reads).
        .with(monitor_runtime::exemplars::ContextLayer::new())
        // One JSON line per event on standard output, with `trace_id` and `span_id`.
        .with(monitor_runtime::logs::layer().expect("RUST_LOG is a filter"))
        .init();
    // Every request leaves an exemplar (the default keeps one a second per bucket).
    monitor_runtime::exemplars::set_interval(Duration::ZERO);
    monitor_runtime::init().expect("registration without problems");

    let client = ServiceBuilder::new()
        .layer(HttpClientMetricsLayer::new())
        .service(Client::builder(TokioExecutor::new()).build_http());
    let app = App {
        client,
        downstream: arguments.downstream,
    };
    let router = Router::new()
        .route("/checkout", get(checkout))
        .route("/stock", get(stock))
        .with_state(app)
        .merge(monitor_runtime::router())
        // Last, around everything: reads `traceparent`, opens the server span.
        .layer(HttpMetricsLayer::new());

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", arguments.port))
        .await
        .expect("bind 127.0.0.1");
    println!(
        "listening on {}",
        listener.local_addr().expect("an address")
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(stop_requested())
        .await
        .expect("the server runs");

    // Send the spans still held (a blocking call: off the runtime's workers).
    if let Some(provider) = provider {
        tokio::task::spawn_blocking(move || provider.shutdown())
            .await
            .expect("the shutdown task")
            .expect("the last spans sent");
    }
}
