//! Per-request cost of HTTP metrics layers on the same axum router of three routes,
//! called in-process (no sockets), in one run:
//!
//! - `bare`: the router alone, the baseline;
//! - `monitor`: with `monitor_runtime::http::HttpMetricsLayer` on `Router::layer`
//!   (trace context on, its default: a new trace per request, no subscriber);
//! - `monitor_traceparent`: the same, each request carrying a `traceparent` (the
//!   trace continued, its `tracestate` none), compared with `bare_traceparent`,
//!   the router alone sent the same requests (building a request with one more
//!   header costs the sender too);
//! - `monitor_untraced`: the same layer with `trace(false)`;
//! - `monitor_outer`: the same layer around the router, given its routes, its
//!   response body turned into axum's `Body` (as `axum::serve` takes it);
//! - `axum_prometheus`: with `axum_prometheus::PrometheusMetricLayer`;
//! - `hand`: with a hand-written `prometheus` middleware (`HistogramVec` with
//!   `with_label_values` per request, the route from `MatchedPath`);
//! - `axum_floor`: a layer that measures nothing and only hands the response body on
//!   in a type of its own (`MapErr`, which keeps the size hint, so that axum sets
//!   `Content-Length` as it does without a layer): what axum makes any layer on
//!   `Router::layer` pay that sees the response body end (a boxed route future and
//!   a boxed response body per request), the floor under the other three.
//!
//! ```sh
//! cargo bench -p monitor-tests --bench http     # criterion: time per request
//! cargo bench -p monitor-tests --bench http -- --interleaved 30
//! tests/benches/http_callgrind.sh                # instructions per request
//! ```
//!
//! Each iteration sends one request (the three routes in turn) and reads the whole
//! response body, so that layers measuring the body see it end. Compare the layers
//! by the cost they add to `bare`. The binary also takes
//! `--callgrind VARIANT REQUESTS` to run one variant without criterion, for
//! `valgrind --tool=callgrind`, and `--list-variants`.
//!
//! On a machine others are using, one variant measured after another sees a
//! different load. `--interleaved ROUNDS` measures the variants in turn, in short
//! slices, rotating their order every round, and reports each round's ratios of
//! added cost (so that a ratio compares slices taken moments apart), with their
//! median and spread over the rounds (`--interleaved ROUNDS REQUESTS`: requests per
//! slice, 20 000 by default; short slices are less often cut by another process).

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Path, Request};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use criterion::Criterion;
use http_body_util::BodyExt;
use monitor_runtime::http::{HttpMetrics, HttpMetricsLayer, ResponseBody};
use monitor_tests::bench_stats::{median, spread};
use prometheus::{HistogramOpts, HistogramVec};
use tower::util::{MapResponse, MapResponseLayer};
use tower::{Layer, Service, ServiceExt};

/// The routes of [`routes`], for a layer that is not inside the router.
const ROUTES: [(&str, &str); 3] = [("GET", "/"), ("GET", "/users/{id}"), ("POST", "/orders")];

fn routes() -> Router {
    Router::new()
        .route("/", get(|| async { "home" }))
        .route(
            "/users/{id}",
            get(|Path(id): Path<u32>| async move { if id > 0 { "user" } else { "none" } }),
        )
        .route("/orders", post(|| async { "placed" }))
}

fn hand_histogram() -> &'static HistogramVec {
    static HISTOGRAM: OnceLock<HistogramVec> = OnceLock::new();
    HISTOGRAM.get_or_init(|| {
        let histogram = HistogramVec::new(
            HistogramOpts::new("hand_request_duration_seconds", "Request duration."),
            &["method", "route", "status"],
        )
        .unwrap();
        prometheus::Registry::new()
            .register(Box::new(histogram.clone()))
            .unwrap();
        histogram
    })
}

async fn hand_layer(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned());
    let response = next.run(request).await;
    hand_histogram()
        .with_label_values(&[
            method.as_str(),
            route.as_deref().unwrap_or("unmatched"),
            response.status().as_str(),
        ])
        .observe(start.elapsed().as_secs_f64());
    response
}

const VARIANTS: &[&str] = &[
    "bare",
    "monitor",
    "axum_prometheus",
    "hand",
    "axum_floor",
    "monitor_outer",
    "monitor_traceparent",
    "monitor_untraced",
    "bare_traceparent",
];

/// The `traceparent` of the requests of `monitor_traceparent`.
const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// The service a variant sends its requests to: a router, or the layer around one;
/// `Traced`: a router sent requests that carry a `traceparent`.
enum App {
    Router(Router),
    Outer(Outer),
    Traced(Router),
}

type Outer = MapResponse<HttpMetrics<Router>, fn(Response<ResponseBody<Body>>) -> Response>;

/// The variant's service, its handlers turned into routes once (`with_state`), as
/// `axum::serve` does.
fn router(variant: &str) -> App {
    if variant == "monitor_outer" {
        let layer = HttpMetricsLayer::new().routes(ROUTES);
        let to_body: fn(Response<ResponseBody<Body>>) -> Response = |r| r.map(Body::new);
        let service = MapResponseLayer::new(to_body).layer(layer.layer(routes().with_state(())));
        return App::Outer(service);
    }
    if variant == "monitor_traceparent" {
        return App::Traced(routes().layer(HttpMetricsLayer::new()).with_state(()));
    }
    if variant == "bare_traceparent" {
        return App::Traced(routes().with_state(()));
    }
    App::Router(layered(variant).with_state(()))
}

fn layered(variant: &str) -> Router {
    match variant {
        "bare" => routes(),
        "monitor" => routes().layer(HttpMetricsLayer::new()),
        "monitor_untraced" => routes().layer(HttpMetricsLayer::new().trace(false)),
        "axum_prometheus" => {
            static LAYER: OnceLock<axum_prometheus::PrometheusMetricLayer<'static>> =
                OnceLock::new();
            let layer = LAYER.get_or_init(|| axum_prometheus::PrometheusMetricLayer::pair().0);
            routes().layer(layer.clone())
        }
        "hand" => routes().layer(middleware::from_fn(hand_layer)),
        "axum_floor" => routes().layer(MapResponseLayer::new(|response: Response| {
            response.map(|body| BodyExt::map_err(body, |error| error))
        })),
        other => panic!("unknown variant `{other}`; expected one of {VARIANTS:?}"),
    }
}

fn request(turn: u64, traced: bool) -> Request {
    let (method, uri) = match turn % 3 {
        0 => (Method::GET, "/"),
        1 => (Method::GET, "/users/42"),
        _ => (Method::POST, "/orders"),
    };
    let mut request = Request::builder().method(method).uri(uri);
    if traced {
        request = request.header("traceparent", TRACEPARENT);
    }
    request.body(Body::empty()).unwrap()
}

async fn send(app: &mut App, turn: u64) {
    match app {
        App::Router(router) => send_to(router, turn, false).await,
        App::Outer(service) => send_to(service, turn, false).await,
        App::Traced(router) => send_to(router, turn, true).await,
    }
}

async fn send_to<S>(service: &mut S, turn: u64, traced: bool)
where
    S: Service<Request, Response = Response, Error = std::convert::Infallible>,
{
    let response = ServiceExt::<Request>::ready(service)
        .await
        .unwrap()
        .call(request(turn, traced))
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

fn run(variant: &str, requests: u64) {
    let runtime = runtime();
    let mut router = router(variant);
    runtime.block_on(async {
        for turn in 0..requests {
            send(&mut router, turn).await;
        }
    });
}

/// `run` under another name, never inlined, so that callgrind can count this call
/// alone (`--toggle-collect=http::measured`): not the warm-up, nor one-off start-up
/// work whose cost varies from run to run (such as the calibration of a clock).
#[inline(never)]
fn measured(variant: &str, requests: u64) {
    run(variant, requests);
}

fn bench(criterion: &mut Criterion) {
    let runtime = runtime();
    let mut group = criterion.benchmark_group("http");
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

/// Nanoseconds per request of `requests` requests through `router`.
fn time_per_request(runtime: &tokio::runtime::Runtime, router: &mut App, requests: u64) -> f64 {
    runtime.block_on(async {
        let start = Instant::now();
        for turn in 0..requests {
            send(router, turn).await;
        }
        start.elapsed().as_nanos() as f64 / requests as f64
    })
}

/// See the module docs: slices of every variant in turn, ratios per round.
fn interleaved(rounds: usize, slice: u64) {
    let runtime = runtime();
    let mut routers: Vec<App> = VARIANTS.iter().map(|variant| router(variant)).collect();
    // Warm caches and the allocator before the first slice counts.
    for router in &mut routers {
        time_per_request(&runtime, router, slice);
    }
    let mut per_request = vec![Vec::new(); VARIANTS.len()];
    let (mut monitor_vs_peer, mut monitor_vs_hand, mut hand_vs_peer) =
        (Vec::new(), Vec::new(), Vec::new());
    let (mut floor_vs_peer, mut above_floor_vs_peer) = (Vec::new(), Vec::new());
    let mut outer_vs_peer = Vec::new();
    let (mut traceparent_vs_peer, mut untraced_vs_peer) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let mut times = [0.0; VARIANTS.len()];
        for step in 0..VARIANTS.len() {
            let variant = (round + step) % VARIANTS.len();
            times[variant] = time_per_request(&runtime, &mut routers[variant], slice);
        }
        let [
            bare,
            monitor,
            peer,
            hand,
            floor,
            outer,
            traceparent,
            untraced,
            bare_traced,
        ] = times;
        monitor_vs_peer.push((monitor - bare) / (peer - bare));
        monitor_vs_hand.push((monitor - bare) / (hand - bare));
        hand_vs_peer.push((hand - bare) / (peer - bare));
        floor_vs_peer.push((floor - bare) / (peer - bare));
        above_floor_vs_peer.push((monitor - floor) / (peer - bare));
        outer_vs_peer.push((outer - bare) / (peer - bare));
        traceparent_vs_peer.push((traceparent - bare_traced) / (peer - bare));
        untraced_vs_peer.push((untraced - bare) / (peer - bare));
        for (all, time) in per_request.iter_mut().zip(times) {
            all.push(time);
        }
    }
    println!("{rounds} rounds of {slice} requests per variant");
    println!(
        "{:<18} {:>10} {:>10} {:>10}",
        "ns/request", "median", "min", "max"
    );
    for (variant, times) in VARIANTS.iter().zip(&mut per_request) {
        let (min, max) = spread(times);
        println!(
            "{variant:<18} {:>10.1} {min:>10.1} {max:>10.1}",
            median(times)
        );
    }
    println!(
        "{:<40} {:>8} {:>8} {:>8}",
        "ratio of added cost", "median", "min", "max"
    );
    for (name, ratios) in [
        ("monitor / axum_prometheus", &mut monitor_vs_peer),
        ("monitor / hand", &mut monitor_vs_hand),
        ("hand / axum_prometheus", &mut hand_vs_peer),
        ("axum_floor / axum_prometheus", &mut floor_vs_peer),
        (
            "(monitor - axum_floor) / axum_prometheus",
            &mut above_floor_vs_peer,
        ),
        ("monitor_outer / axum_prometheus", &mut outer_vs_peer),
        (
            "monitor_traceparent / axum_prometheus",
            &mut traceparent_vs_peer,
        ),
        ("monitor_untraced / axum_prometheus", &mut untraced_vs_peer),
    ] {
        let (min, max) = spread(ratios);
        println!("{name:<40} {:>8.3} {min:>8.3} {max:>8.3}", median(ratios));
    }
}

fn main() {
    // axum-prometheus spawns its recorder's upkeep (every 5 s) on the runtime it is
    // built in: a worker of its own keeps it running, as in a real service.
    let background = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()
        .unwrap();
    let _entered = background.enter();
    // Every variant's series and caches exist before anything is measured.
    for variant in VARIANTS {
        run(variant, 30);
    }
    let args: Vec<String> = std::env::args().collect();
    if let Some(index) = args.iter().position(|arg| arg == "--callgrind") {
        let variant = args.get(index + 1).map(String::as_str).unwrap_or("");
        let requests = args
            .get(index + 2)
            .and_then(|requests| requests.parse().ok())
            .unwrap_or(0);
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
            .unwrap_or(20_000);
        interleaved(rounds, slice);
        return;
    }
    if args.iter().any(|arg| arg == "--list-variants") {
        for variant in VARIANTS {
            println!("{variant}");
        }
        return;
    }
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
