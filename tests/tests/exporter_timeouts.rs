//! Slow and silent clients are disconnected: a client that sends its request head
//! one byte a second within the header-read timeout, an idle keep-alive connection
//! within the idle timeout, and a slow handler is answered `503` at the request
//! timeout.

use std::time::{Duration, Instant};

use monitor_tests::server::TestServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long past a timeout a disconnection may come (scheduling on a busy machine);
/// a bound on a wait, not a measure of speed.
const SLACK: Duration = Duration::from_secs(3);

/// Reads until the server closes the connection, sending one byte of `drip` every
/// `every` meanwhile; gives up after `limit`. Returns when the connection closed.
async fn wait_closed(
    stream: &mut TcpStream,
    drip: &[u8],
    every: Duration,
    limit: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    let dripping = !drip.is_empty();
    let mut drip = drip.iter().cycle();
    let mut buffer = [0u8; 4096];
    let mut tick = tokio::time::interval(every);
    while start.elapsed() < limit {
        tokio::select! {
            read = stream.read(&mut buffer) => match read {
                Ok(0) | Err(_) => return Some(start.elapsed()),
                Ok(_) => {}
            },
            _ = tick.tick() => {
                if let Some(byte) = drip.next().filter(|_| dripping) {
                    let byte = [*byte];
                    if stream.write_all(&byte).await.is_err() {
                        return Some(start.elapsed());
                    }
                }
            }
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_header_client_is_disconnected_within_the_header_timeout() {
    let header_timeout = Duration::from_secs(3);
    let server =
        TestServer::start_configured(move |exporter| exporter.header_read_timeout(header_timeout));
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let head = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let closed = wait_closed(
        &mut stream,
        head,
        Duration::from_secs(1),
        header_timeout * 5,
    )
    .await;
    let closed = closed.expect("the slow client is disconnected");
    assert!(
        closed <= header_timeout + SLACK,
        "disconnected after {closed:?}, timeout {header_timeout:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_clients_are_disconnected_within_the_header_timeout() {
    let header_timeout = Duration::from_secs(2);
    let server = TestServer::start_configured(move |exporter| {
        exporter
            .header_read_timeout(header_timeout)
            .idle_timeout(Duration::from_secs(600))
    });
    // One sends nothing; one sends the HTTP/2 preface a byte a second.
    let mut silent = TcpStream::connect(server.addr()).await.unwrap();
    let mut preface = TcpStream::connect(server.addr()).await.unwrap();
    let (silent, preface) = tokio::join!(
        wait_closed(
            &mut silent,
            b"",
            Duration::from_secs(1),
            header_timeout * 10
        ),
        wait_closed(
            &mut preface,
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
            Duration::from_secs(1),
            header_timeout * 10
        ),
    );
    for (client, closed) in [("silent", silent), ("slow preface", preface)] {
        let closed = closed.unwrap_or_else(|| panic!("the {client} client is disconnected"));
        assert!(
            closed <= header_timeout + SLACK,
            "{client}: disconnected after {closed:?}, timeout {header_timeout:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_within_the_idle_timeout() {
    let idle_timeout = Duration::from_secs(2);
    let server = TestServer::start_configured(move |exporter| {
        exporter
            .idle_timeout(idle_timeout)
            .header_read_timeout(Duration::from_secs(30))
    });
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let answer = monitor_tests::http::livez_on(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let closed = wait_closed(&mut stream, b"", Duration::from_secs(1), idle_timeout * 10).await;
    let closed = closed.expect("the idle connection is closed");
    assert!(
        closed <= idle_timeout + SLACK,
        "closed after {closed:?}, idle timeout {idle_timeout:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_is_answered_at_the_request_timeout() {
    let routes = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            "late"
        }),
    );
    let server = TestServer::start_configured(move |exporter| {
        exporter
            .merge(routes)
            .request_timeout(Duration::from_secs(1))
    });
    let response = monitor_tests::http::get(&server.url("/slow"))
        .await
        .unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(
        response.body,
        "503 service unavailable: request timed out\n"
    );
}
