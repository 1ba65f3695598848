//! A small HTTP/1.1 client for tests, on hyper's connection API: one connection
//! per request, the whole body read into memory.

use std::fmt;
use std::net::SocketAddr;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A response with its whole body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: StatusCode,
    /// Response headers.
    pub headers: hyper::HeaderMap,
    /// The body, decoded as UTF-8 (lossily).
    pub body: String,
    /// The body as received (still compressed when the server compressed it).
    pub bytes: Vec<u8>,
}

impl HttpResponse {
    /// The value of header `name`, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// Why a request failed.
#[derive(Debug)]
pub struct HttpError(String);

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

fn error(context: &str, url: &str, error: impl fmt::Display) -> HttpError {
    HttpError(format!("{context} {url}: {error}"))
}

/// `GET url`, for example `get("http://127.0.0.1:9898/metrics")`.
pub async fn get(url: &str) -> Result<HttpResponse, HttpError> {
    request(Method::GET, url).await
}

/// Sends a request without a body to `url` (an `http://host:port/path?query` URL).
pub async fn request(method: Method, url: &str) -> Result<HttpResponse, HttpError> {
    request_with(method, url, &[]).await
}

/// As [`request`], with extra request headers.
pub async fn request_with(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
) -> Result<HttpResponse, HttpError> {
    let uri: Uri = url.parse().map_err(|e| error("bad URL", url, e))?;
    let authority = uri
        .authority()
        .ok_or_else(|| error("no host in", url, "expected http://host:port/path"))?
        .clone();
    let stream = TcpStream::connect(authority.as_str())
        .await
        .map_err(|e| error("cannot connect to", url, e))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| error("handshake with", url, e))?;
    let driver = tokio::spawn(connection);
    let path = uri.path_and_query().map_or("/", |path| path.as_str());
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, authority.as_str());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Empty::<Bytes>::new())
        .map_err(|e| error("cannot build a request for", url, e))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| error("request failed:", url, e))?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| error("cannot read the body of", url, e))?
        .to_bytes();
    driver.abort();
    Ok(HttpResponse {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body.to_vec(),
    })
}

/// Writes `bytes` as they are to `addr` and returns everything the server answers
/// before closing the connection: for requests no client library would send.
pub async fn send_raw(addr: SocketAddr, bytes: &[u8]) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(bytes).await?;
    stream.shutdown().await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

/// Sends `GET /livez` on an open keep-alive connection and returns the answer,
/// head and body (`ok`).
///
/// # Panics
///
/// If the server closes the connection before answering.
pub async fn livez_on(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("send GET /livez");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while !answer.ends_with(b"ok\n") {
        let read = stream.read(&mut buffer).await.expect("read the answer");
        assert_ne!(read, 0, "closed before answering: {answer:?}");
        answer.extend_from_slice(&buffer[..read]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Sends a request without a body to `app` (an axum router, or any service of
/// axum's requests) in-process (no socket) and reads the response body to its
/// end, as a server would (a measuring layer sees it end).
pub async fn send_in_process<S, B>(app: &S, method: &str, path: &str) -> StatusCode
where
    S: tower::Service<Request<axum::body::Body>, Response = hyper::Response<B>> + Clone,
    S::Error: fmt::Debug,
    B: hyper::body::Body,
    B::Error: fmt::Debug,
{
    use tower::ServiceExt;
    let request = Request::builder()
        .method(method)
        .uri(path)
        .body(axum::body::Body::empty())
        .expect("a valid request");
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("the service answers");
    let status = response.status();
    response
        .into_body()
        .collect()
        .await
        .expect("the whole body");
    status
}
