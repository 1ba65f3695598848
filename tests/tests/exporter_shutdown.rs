//! Graceful shutdown: readiness reports unhealthy while the listener still answers,
//! then the listener closes, and `run` returns within its deadline although a
//! client stalls in the middle of its request head and a request never finishes.

use std::time::{Duration, Instant};

use monitor_runtime::Exporter;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Scheduling on a busy machine; a bound on waits, not a measure of speed.
const SLACK: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_fails_readiness_first_and_returns_within_its_deadline() {
    let drain = Duration::from_secs(1);
    let deadline = Duration::from_secs(1);
    let routes = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(120)).await;
            "late"
        }),
    );
    let exporter = Exporter::bind("127.0.0.1:0")
        .await
        .unwrap()
        .merge(routes)
        .header_read_timeout(Duration::from_secs(120))
        .request_timeout(Duration::from_secs(120))
        .drain_delay(drain)
        .shutdown_timeout(deadline);
    let addr = exporter.local_addr();
    let url = |path: &str| format!("http://{addr}{path}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(exporter.run(async move {
        stopped.await.ok();
    }));

    assert_eq!(
        monitor_tests::http::get(&url("/readyz"))
            .await
            .unwrap()
            .status,
        200
    );
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Half: ")
        .await
        .unwrap();
    let slow_url = url("/slow");
    let slow = tokio::spawn(async move { monitor_tests::http::get(&slow_url).await });
    tokio::time::sleep(Duration::from_millis(200)).await;

    let signalled = Instant::now();
    stop.send(()).unwrap();
    // During the drain delay the listener still answers, and readiness has failed.
    let mut unready = false;
    while signalled.elapsed() < drain {
        match monitor_tests::http::get(&url("/readyz")).await {
            Ok(response) if response.status == 503 => {
                assert!(
                    response.body.contains("readyz check failed"),
                    "{}",
                    response.body
                );
                unready = true;
                break;
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(error) => panic!("the listener closed before readiness failed: {error}"),
        }
    }
    assert!(
        unready,
        "readiness never reported unhealthy during the drain"
    );

    let result = tokio::time::timeout(drain + deadline + SLACK, server)
        .await
        .expect("run returns within drain delay + shutdown deadline");
    result.unwrap().unwrap();
    let took = signalled.elapsed();
    assert!(
        took >= drain,
        "returned after {took:?}, before the drain delay"
    );
    println!("run returned {took:?} after the signal (drain {drain:?}, deadline {deadline:?})");

    // The stalled client and the unfinished request were closed, the listener too.
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(SLACK, stalled.read(&mut buffer))
        .await
        .expect("the stalled connection is closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    let slow = tokio::time::timeout(SLACK, slow)
        .await
        .expect("the slow request ends");
    assert!(slow.unwrap().is_err(), "the unfinished request is cut off");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
    monitor_runtime::health::set_ready(true);
}
