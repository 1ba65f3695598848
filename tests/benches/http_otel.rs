//! Per-request cost of the HTTP layer with OpenTelemetry installed, against
//! OpenTelemetry's own tower layer, on the same axum router of three routes called
//! in-process, each request carrying a `traceparent`:
//!
//! - `bare`: the router alone, the baseline;
//! - `monitor`: `monitor_runtime::http::HttpMetricsLayer` on `Router::layer`, under
//!   a `tracing` subscriber with `tracing-opentelemetry`'s layer (the SDK's tracer,
//!   every span sampled): a server span per request, continued from `traceparent`,
//!   an OpenTelemetry span of OpenTelemetry's ids, the request's figures;
//! - `otel_tower`: `opentelemetry-instrumentation-tower`'s server layer with the
//!   same SDK tracer provider and a meter provider with a reader (no exporter for
//!   either): a server span per request, continued from `traceparent`, and its four
//!   HTTP metrics, aggregated as a service exporting them would.
//!
//! The subscriber and the providers are installed once, for the whole run (as in a
//! service), so `bare` and `otel_tower` run under them too.
//!
//! ```sh
//! cargo bench -p monitor-tests --bench http_otel -- --interleaved 20
//! ```
//!
//! `--callgrind VARIANT REQUESTS` runs one variant for `valgrind --tool=callgrind
//! --toggle-collect=http_otel::measured` (instructions per request: the difference
//! of two runs over their difference in requests). `--interleaved ROUNDS [REQUESTS]` measures the variants in turn, in slices of
//! `REQUESTS` requests, rotating their order every round, and prints each added
//! cost's ratio (median, min, max over the rounds); without it, criterion measures
//! each variant.

use std::hint::black_box;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use criterion::Criterion;
use monitor_runtime::http::HttpMetricsLayer;
use monitor_tests::bench_stats::{median, spread};
use opentelemetry::trace::TracerProvider as _;
use tower::{Service, ServiceExt};
use tracing_subscriber::layer::SubscriberExt;

const VARIANTS: &[&str] = &["bare", "monitor", "otel_tower"];

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn routes() -> Router {
    Router::new()
        .route("/", get(|| async { "home" }))
        .route(
            "/users/{id}",
            get(|Path(id): Path<u64>| async move { format!("user {id}") }),
        )
        .route("/orders", post(|| async { "placed" }))
}

fn router(variant: &str) -> Router {
    let router = match variant {
        "bare" => routes(),
        "monitor" => routes().layer(HttpMetricsLayer::new()),
        // With its `axum` feature, the route is axum's matched path.
        "otel_tower" => {
            routes().layer(opentelemetry_instrumentation_tower::http::server::Layer::new())
        }
        other => panic!("unknown variant `{other}`; expected one of {VARIANTS:?}"),
    };
    router.with_state(())
}

fn request(turn: u64) -> Request {
    let (method, uri) = match turn % 3 {
        0 => (Method::GET, "/"),
        1 => (Method::GET, "/users/42"),
        _ => (Method::POST, "/orders"),
    };
    Request::builder()
        .method(method)
        .uri(uri)
        .header("traceparent", TRACEPARENT)
        .body(Body::empty())
        .unwrap()
}

async fn send(router: &mut Router, turn: u64) {
    let response: Response = ServiceExt::<Request>::ready(router)
        .await
        .unwrap()
        .call(request(turn))
        .await
        .unwrap();
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    black_box(body);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// A metric exporter that drops what it is given: the reader makes the SDK
/// aggregate, as it does for a service exporting its metrics.
struct Discard;

impl opentelemetry_sdk::metrics::exporter::PushMetricExporter for Discard {
    async fn export(
        &self,
        _metrics: &opentelemetry_sdk::metrics::data::ResourceMetrics,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }

    fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(
        &self,
        _timeout: std::time::Duration,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> opentelemetry_sdk::metrics::Temporality {
        opentelemetry_sdk::metrics::Temporality::Cumulative
    }
}

/// The SDK's tracer provider (every span sampled, no exporter) for both layers; its
/// meter provider (a periodic reader, hourly, whose exporter drops everything) and
/// W3C propagator for OpenTelemetry's layer; the `tracing` subscriber with
/// `tracing-opentelemetry` for ours.
fn install_opentelemetry() {
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    // A reader, as a service exporting its metrics has: without one the SDK's
    // instruments record nothing.
    opentelemetry::global::set_meter_provider(
        opentelemetry_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(
                opentelemetry_sdk::metrics::PeriodicReader::builder(Discard)
                    .with_interval(std::time::Duration::from_secs(3600))
                    .build(),
            )
            .build(),
    );
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
    tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
}

fn time_per_request(runtime: &tokio::runtime::Runtime, router: &mut Router, requests: u64) -> f64 {
    runtime.block_on(async {
        let start = Instant::now();
        for turn in 0..requests {
            send(router, turn).await;
        }
        start.elapsed().as_nanos() as f64 / requests as f64
    })
}

fn interleaved(rounds: usize, slice: u64) {
    let runtime = runtime();
    let mut routers: Vec<Router> = VARIANTS.iter().map(|variant| router(variant)).collect();
    for router in &mut routers {
        time_per_request(&runtime, router, slice);
    }
    let mut per_request = vec![Vec::new(); VARIANTS.len()];
    let mut ratios = Vec::new();
    for round in 0..rounds {
        let mut times = [0.0; 3];
        for step in 0..VARIANTS.len() {
            let variant = (round + step) % VARIANTS.len();
            times[variant] = time_per_request(&runtime, &mut routers[variant], slice);
        }
        let [bare, monitor, peer] = times;
        ratios.push((monitor - bare) / (peer - bare));
        for (all, time) in per_request.iter_mut().zip(times) {
            all.push(time);
        }
    }
    println!("{rounds} rounds of {slice} requests per variant");
    println!(
        "{:<14} {:>10} {:>10} {:>10}",
        "ns/request", "median", "min", "max"
    );
    for (variant, times) in VARIANTS.iter().zip(&mut per_request) {
        let (min, max) = spread(times);
        println!(
            "{variant:<14} {:>10.1} {min:>10.1} {max:>10.1}",
            median(times)
        );
    }
    let (min, max) = spread(&ratios);
    println!(
        "added cost monitor / otel_tower: median {:.3} (min {min:.3}, max {max:.3})",
        median(&mut ratios)
    );
}

fn bench(criterion: &mut Criterion) {
    let runtime = runtime();
    let mut group = criterion.benchmark_group("http_otel");
    for variant in VARIANTS {
        let mut router = router(variant);
        group.bench_function(*variant, |bencher| {
            bencher.iter_custom(|iterations| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for turn in 0..iterations {
                        send(&mut router, turn).await;
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

/// `--callgrind VARIANT REQUESTS`: one variant alone, for `valgrind --tool=callgrind
/// --toggle-collect=http_otel::measured`. Not inlined, so that callgrind can count it.
#[inline(never)]
fn measured(variant: &str, requests: u64) {
    let runtime = runtime();
    let mut router = router(variant);
    runtime.block_on(async {
        for turn in 0..requests {
            send(&mut router, turn).await;
        }
    });
}

fn main() {
    install_opentelemetry();
    let args: Vec<String> = std::env::args().collect();
    if let Some(index) = args.iter().position(|arg| arg == "--callgrind") {
        let variant = args.get(index + 1).map(String::as_str).unwrap_or("monitor");
        let requests = args
            .get(index + 2)
            .and_then(|requests| requests.parse().ok())
            .unwrap_or(1_000);
        // Warm: the routes' figures and the callsites' interest exist first.
        measured(variant, 30);
        measured(variant, requests);
        return;
    }
    if let Some(index) = args.iter().position(|arg| arg == "--interleaved") {
        let rounds = args
            .get(index + 1)
            .and_then(|rounds| rounds.parse().ok())
            .unwrap_or(20);
        let slice = args
            .get(index + 2)
            .and_then(|slice| slice.parse().ok())
            .unwrap_or(5_000);
        interleaved(rounds, slice);
        return;
    }
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
