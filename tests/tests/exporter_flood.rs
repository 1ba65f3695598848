//! A flood of connections holding unfinished large request heads: memory stays under
//! the bound the exporter documents while it lasts and is given back after, and
//! `/livez` is answered throughout. Its own test binary: it measures the process.

use std::time::{Duration, Instant};

use monitor_tests::process::{raise_fd_limit, rss_bytes};
use monitor_tests::server::TestServer;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const MIB: f64 = 1024.0 * 1024.0;

async fn livez_answers(server: &TestServer) {
    let response = monitor_tests::http::get(&server.url("/livez"))
        .await
        .expect("/livez answers during the flood");
    assert_eq!(response.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unfinished_heads_is_bounded_and_given_back() {
    // Two descriptors per connection in this process (client and server side).
    let limit = raise_fd_limit(8192);
    let connections: usize = if limit >= 4500 {
        2000
    } else {
        (limit as usize - 100) / 2
    };
    let max_connections = connections + 100;
    let max_header_bytes = 64 * 1024;
    let server = TestServer::start_configured(move |exporter| {
        exporter
            .max_connections(max_connections)
            .max_header_bytes(max_header_bytes)
            .header_read_timeout(Duration::from_secs(120))
    });
    // The documented bound: max_connections × (max_header_bytes + 16 KiB).
    let bound = (max_connections * (max_header_bytes + 16 * 1024)) as f64;
    livez_answers(&server).await;
    let start = rss_bytes() as f64;

    let mut head = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Large: ".to_vec();
    head.resize(48 * 1024, b'a');
    let mut open = Vec::with_capacity(connections);
    let mut peak = start;
    for batch in 0..connections.div_ceil(200) {
        for _ in 0..200.min(connections - batch * 200) {
            let mut stream = TcpStream::connect(server.addr()).await.unwrap();
            stream.write_all(&head).await.unwrap();
            open.push(stream);
        }
        livez_answers(&server).await;
        peak = peak.max(rss_bytes() as f64);
    }
    // Let the server read what was sent, answering `/livez` meanwhile.
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        livez_answers(&server).await;
        peak = peak.max(rss_bytes() as f64);
    }
    let grown = peak - start;
    println!(
        "{connections} connections holding 48 KiB heads: RSS {:.1} MiB at start, peak {:.1} MiB \
         (+{:.1} MiB), bound {:.1} MiB",
        start / MIB,
        peak / MIB,
        grown / MIB,
        bound / MIB
    );
    assert!(
        grown < bound,
        "grew {:.1} MiB, bound {:.1} MiB",
        grown / MIB,
        bound / MIB
    );

    drop(open);
    // The server sees the connections close and frees their buffers; wait (bounded)
    // until most of the growth is given back.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut after;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        livez_answers(&server).await;
        after = rss_bytes() as f64;
        if after - start <= grown / 4.0 || Instant::now() > deadline {
            break;
        }
    }
    println!(
        "after the flood: RSS {:.1} MiB, {} descriptors open",
        after / MIB,
        std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
    );
    assert!(
        after - start <= grown / 4.0,
        "RSS {:.1} MiB after the flood, {:.1} MiB at start, peak {:.1} MiB",
        after / MIB,
        start / MIB,
        peak / MIB
    );
}
