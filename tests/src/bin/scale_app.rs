//! A replica of a small service for the scale-out tests: its identity from
//! `MONITOR_SERVICE` / `MONITOR_INSTANCE`, the exporter on 127.0.0.1 (the port
//! printed as `listening on ADDR`), and:
//!
//! - `GET /work?ok=N&err=M`: N successful and M failing calls of the monitored
//!   function `work`;
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
use monitor_runtime::monitored;
use monitor_runtime::push::{Pushgateway, RemoteWrite};
use serde::Deserialize;
use tokio::sync::mpsc;

#[derive(Debug)]
struct WorkFailed;

#[monitored]
fn work(fail: bool) -> Result<(), WorkFailed> {
    if fail { Err(WorkFailed) } else { Ok(()) }
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
    monitor_runtime::init().expect("registration without problems");
    let (quit, mut quit_rx) = mpsc::channel::<()>(1);
    let routes = axum::Router::new()
        .route(
            "/work",
            get(|Query(calls): Query<Calls>| async move {
                for _ in 0..calls.ok {
                    let _ = work(false);
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
        .merge(routes);
    let remote_write = std::env::var("REMOTE_WRITE_URL").ok().map(|url| {
        RemoteWrite::new(&url)
            .interval(interval("REMOTE_WRITE_INTERVAL_MS"))
            .spawn()
    });
    let pushgateway = std::env::var("PUSHGATEWAY_URL").ok().map(|url| {
        Pushgateway::new(&url)
            .interval(interval("PUSH_INTERVAL_MS"))
            .delete_on_exit(true)
            .spawn()
    });
    println!("listening on {}", exporter.local_addr());
    std::io::stdout().flush().ok();
    exporter
        .run_until(async move {
            quit_rx.recv().await;
        })
        .await
        .expect("the exporter runs");
    if let Some(task) = remote_write {
        println!("unsent {}", task.shutdown().await);
    }
    if let Some(task) = pushgateway {
        match task.shutdown().await {
            Ok(()) => println!("pushed and deleted"),
            Err(error) => println!("push failed: {error}"),
        }
    }
    std::io::stdout().flush().ok();
}
