//! What the shop also watches besides its own functions: its SQLite product
//! catalogue through a watched connection pool (with its health check), a cache
//! in front of it with its hit ratio, the tokio runtime, and its calls to another
//! service through the HTTP client metrics layer (here, its own liveness probe).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use monitor_runtime::cache::CacheMetrics;
use monitor_runtime::client::HttpClientMetricsLayer;
use monitor_runtime::health::{self, PoolCheck};
use monitor_runtime::{pool, runtime_metrics};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use tower::{Service, ServiceBuilder, ServiceExt};

/// Starts the catalogue, its cache and the peer calls; the database lives in `dir`.
/// `peer` is called over plain HTTP, so it is `None` when the shop serves HTTPS.
pub async fn start(dir: &std::path::Path, peer: Option<SocketAddr>) -> Result<(), String> {
    runtime_metrics::watch("main").map_err(|error| error.to_string())?;

    let sqlite = SqlitePoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(
            SqliteConnectOptions::new()
                .filename(dir.join("catalogue.db"))
                .create_if_missing(true),
        )
        .await
        .map_err(|error| format!("cannot open the catalogue: {error}"))?;
    sqlx::query("CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, price_cents INTEGER NOT NULL)")
        .execute(&sqlite)
        .await
        .map_err(|error| error.to_string())?;
    for id in 1..=20_i64 {
        sqlx::query("INSERT OR REPLACE INTO products (id, price_cents) VALUES (?, ?)")
            .bind(id)
            .bind(id * 150)
            .execute(&sqlite)
            .await
            .map_err(|error| error.to_string())?;
    }
    health::register(PoolCheck::sqlx(
        "catalogue-db",
        sqlite.clone(),
        Duration::from_millis(500),
    ))
    .map_err(|error| error.to_string())?;
    let catalogue = pool::watch("catalogue", sqlite).map_err(|error| error.to_string())?;
    let prices = CacheMetrics::new("prices");

    tokio::spawn(async move {
        let cached: Mutex<HashMap<i64, i64>> = Mutex::new(HashMap::new());
        let mut ticks = tokio::time::interval(Duration::from_millis(250));
        loop {
            ticks.tick().await;
            let id = 1 + (crate::percent() % 20) as i64;
            let hit = prices.lookup(cached.lock().unwrap().get(&id).copied());
            if hit.is_none() {
                let Ok(mut connection) = catalogue.acquire().await else {
                    continue;
                };
                let price: Result<(i64,), _> =
                    sqlx::query_as("SELECT price_cents FROM products WHERE id = ?")
                        .bind(id)
                        .fetch_one(&mut *connection)
                        .await;
                if let Ok((price,)) = price {
                    let mut cached = cached.lock().unwrap();
                    // A small cache: an entry is dropped now and then, so misses go on.
                    if cached.len() >= 12 {
                        cached.clear();
                    }
                    cached.insert(id, price);
                }
            }
        }
    });

    if let Some(peer) = peer {
        tokio::spawn(async move {
            let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
            let mut client = ServiceBuilder::new()
                .layer(HttpClientMetricsLayer::new())
                .timeout(Duration::from_secs(2))
                .service(client);
            let url = format!("http://{peer}/livez");
            let mut ticks = tokio::time::interval(Duration::from_secs(1));
            loop {
                ticks.tick().await;
                let Ok(request) = http::Request::get(&url).body(Empty::new()) else {
                    return;
                };
                let Ok(ready) = client.ready().await else {
                    continue;
                };
                // Failures are in the metrics; the demo goes on.
                let _ = ready.call(request).await;
            }
        });
    }
    Ok(())
}
