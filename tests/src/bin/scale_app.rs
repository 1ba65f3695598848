//! A replica of a small service for the scale-out tests: its identity from
//! `MONITOR_SERVICE` / `MONITOR_INSTANCE`, the exporter on 127.0.0.1 (the port
//! printed as `listening on ADDR`), and:
//!
//! - `GET /work?ok=N&err=M`: N successful and M failing calls of the monitored
//!   function `work`, each also counted, set and observed by business metrics of
//!   the three kinds, and as many calls of the async function `ship`; the route
//!   is measured by the HTTP metrics layer;
//! - two health checks (one failing) and the objective of `work`, so that every
//!   generated dashboard (served at `/dashboard/grafana.json`) has data;
//! - `POST /quit`: a clean exit; with `REMOTE_WRITE_URL` set, the remote-write
//!   buffer is flushed first and `unsent N` printed; with `PUSHGATEWAY_URL` set,
//!   the last push is made and the group deleted.
//!
//! `REMOTE_WRITE_INTERVAL_MS` and `PUSH_INTERVAL_MS` set the intervals (default
//! one hour: only the snapshots at start and at exit).

use std::io::Write as _;
use std::time::Duration;

use axum::extract::Query;
use axum::routing::{get, post};
use monitor_runtime::alerts::{AlertSet, Objective};
use monitor_runtime::http::HttpMetricsLayer;
use monitor_runtime::push::{Pushgateway, RemoteWrite};
use monitor_runtime::{business_metric, health_check, monitored};
use serde::Deserialize;
use tokio::sync::mpsc;

#[derive(Debug)]
struct WorkFailed;

#[monitored]
fn work(fail: bool) -> Result<(), WorkFailed> {
    if fail { Err(WorkFailed) } else { Ok(()) }
}

/// Async: its cancellations are counted too (a series the dashboards read).
#[monitored]
async fn ship() {
    tokio::task::yield_now().await;
}

#[business_metric(counter = "scale_orders_total", help = "Orders placed, by plan.", labels(plan = plan))]
fn place_order(plan: &str) {}

#[business_metric(gauge = "scale_carts_open", help = "Carts currently open.", set = f64::from(carts))]
fn carts_open(carts: u32) {}

#[business_metric(histogram = "scale_basket_items", help = "Items per basket.", observe = f64::from(items), buckets = [1, 2, 5, 10])]
fn basket(items: u32) {}

#[health_check(name = "scale-database", readiness)]
async fn database() -> Result<(), String> {
    Ok(())
}

#[health_check(name = "scale-cache", critical = false)]
async fn cache() -> Result<(), String> {
    Err("the cache refused the connection".to_owned())
}

#[derive(Deserialize)]
struct Calls {
    #[serde(default)]
    ok: u32,
    #[serde(default)]
    err: u32,
}

fn interval(variable: &str) -> Duration {
    std::env::var(variable)
        .ok()
        .and_then(|value| value.parse().ok())
        .map_or(Duration::from_secs(3600), Duration::from_millis)
}

#[tokio::main]
async fn main() {
    monitor_runtime::alerts::configure(
        AlertSet::new(&std::env::var("MONITOR_SERVICE").unwrap_or_else(|_| "scale".to_owned()))
            .objective(
                Objective::new("work", "scale_app", "work")
                    .success(0.99)
                    .latency(Duration::from_millis(250), 0.99),
            ),
    );
    monitor_runtime::init().expect("registration without problems");
    let (quit, mut quit_rx) = mpsc::channel::<()>(1);
    let routes = axum::Router::new()
        .route(
            "/work",
            get(|Query(calls): Query<Calls>| async move {
                for call in 0..calls.ok {
                    let _ = work(false);
                    place_order(if call % 2 == 0 { "pro" } else { "free" });
                    carts_open(call % 7);
                    basket(call % 12);
                    ship().await;
                }
                for _ in 0..calls.err {
                    let _ = work(true);
                }
                "done"
            }),
        )
        .route(
            "/quit",
            post(move || async move {
                quit.send(()).await.ok();
                "bye"
            }),
        );
    let exporter = monitor_runtime::Exporter::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
        .merge(routes)
        .layer(HttpMetricsLayer::new().routes([("GET", "/work")]));
    let remote_write = std::env::var("REMOTE_WRITE_URL").ok().map(|url| {
        RemoteWrite::new(&url)
            .interval(interval("REMOTE_WRITE_INTERVAL_MS"))
            .start()
    });
    let pushgateway = std::env::var("PUSHGATEWAY_URL").ok().map(|url| {
        Pushgateway::new(&url)
            .interval(interval("PUSH_INTERVAL_MS"))
            .delete_on_exit(true)
            .start()
    });
    println!("listening on {}", exporter.local_addr());
    std::io::stdout().flush().ok();
    exporter
        .run(async move {
            quit_rx.recv().await;
        })
        .await
        .expect("the exporter runs");
    if let Some(task) = remote_write {
        match task.stop().await {
            Ok(()) => println!("unsent 0"),
            Err(error) => println!("remote write failed: {error}"),
        }
    }
    if let Some(task) = pushgateway {
        match task.stop().await {
            Ok(()) => println!("pushed and deleted"),
            Err(error) => println!("push failed: {error}"),
        }
    }
    std::io::stdout().flush().ok();
}
