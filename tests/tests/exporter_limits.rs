//! Limits: past the connection cap new connections are closed at once while an
//! open connection still answers `/livez`; concurrent scrapes share renderings.

use std::time::{Duration, Instant};

use monitor_runtime::prometheus::core::{Collector, Desc};
use monitor_runtime::prometheus::proto::MetricFamily;
use monitor_runtime::prometheus::{IntGauge, Opts};
use monitor_tests::http::livez_on;
use monitor_tests::server::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_cap_connections_are_refused_and_open_ones_still_answer() {
    let server = TestServer::start_configured(|exporter| exporter.max_connections(3));
    let mut first = TcpStream::connect(server.addr()).await.unwrap();
    assert!(livez_on(&mut first).await.starts_with("HTTP/1.1 200"));
    let mut second = TcpStream::connect(server.addr()).await.unwrap();
    assert!(livez_on(&mut second).await.starts_with("HTTP/1.1 200"));
    let mut third = TcpStream::connect(server.addr()).await.unwrap();
    assert!(livez_on(&mut third).await.starts_with("HTTP/1.1 200"));

    for _ in 0..5 {
        let mut refused = TcpStream::connect(server.addr()).await.unwrap();
        refused
            .write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .ok();
        let mut buffer = [0u8; 256];
        // A bound on the wait, not a measure of speed: refused connections are
        // closed as they are accepted, without an answer.
        let read = tokio::time::timeout(Duration::from_secs(10), refused.read(&mut buffer))
            .await
            .expect("a connection past the cap is closed at once");
        assert!(matches!(read, Ok(0) | Err(_)), "answered: {read:?}");
    }
    assert!(livez_on(&mut first).await.starts_with("HTTP/1.1 200"));
    assert!(
        monitor_tests::sample("monitor_exporter_rejected_connections_total", &[])
            .is_some_and(|rejected| rejected >= 5.0)
    );

    // Once a connection closes, a new one is served.
    drop(third);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut again = TcpStream::connect(server.addr()).await.unwrap();
        again
            .write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buffer = [0u8; 512];
        if matches!(again.read(&mut buffer).await, Ok(read) if read > 0) {
            break;
        }
        assert!(Instant::now() < deadline, "a freed slot is never reused");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A collector that takes a while, as a large exposition does.
struct Slow(IntGauge);

impl Collector for Slow {
    fn desc(&self) -> Vec<&Desc> {
        self.0.desc()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        std::thread::sleep(Duration::from_millis(20));
        self.0.collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_scrapes_share_renderings() {
    const SCRAPES: usize = 1000;
    monitor_tests::process::raise_fd_limit(8192);
    let gauge =
        IntGauge::with_opts(Opts::new("slow_collector_value", "A slow collector.")).unwrap();
    monitor_runtime::registry()
        .register(Box::new(Slow(gauge)))
        .unwrap();
    let server = TestServer::start_configured(|exporter| exporter.max_connections(4096));
    let url = server.url("/metrics");
    let renders = || monitor_tests::sample("monitor_exposition_renders_total", &[]).unwrap();
    let before = renders();
    let scrapes: Vec<_> = (0..SCRAPES)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { monitor_tests::http::get(&url).await })
        })
        .collect();
    for scrape in scrapes {
        let response = scrape.await.unwrap().expect("every scrape is answered");
        assert_eq!(response.status, 200);
        assert!(response.body.contains("slow_collector_value 0"));
    }
    let rendered = renders() - before;
    println!("{SCRAPES} concurrent scrapes, {rendered} renderings");
    assert!(rendered >= 1.0);
    assert!(
        rendered <= (SCRAPES / 10) as f64,
        "{rendered} renderings for {SCRAPES} scrapes"
    );
}
