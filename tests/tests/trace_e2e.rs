//! One trace id across two services, end to end with real processes: service A
//! (`trace_service --downstream B`) calls service B through the client layer, and a
//! request with a known `traceparent` goes into A.
//!
//! With `tracing-opentelemetry` and the OTLP exporter (`--otlp`), the trace id is
//! the same in both services' JSON logs, in the exemplars of both services' request
//! histograms as a real Prometheus stores them (`--enable-feature=exemplar-storage`,
//! `/api/v1/query_exemplars`), and in the spans both services export over OTLP/HTTP
//! to a receiver that decodes them with the official protocol definitions
//! (`tests/otlp/receiver.py`, Python's `opentelemetry-proto`): A's server span is a
//! child of the known parent, A's client span of A's server span, B's server span
//! of A's client span, B's `#[monitored]` span of B's server span; the span ids of
//! logs and exemplars are those of the exported spans. The spans are sent when the
//! services stop (the batch delay is set far beyond the test), so their arrival
//! also shows that a clean stop flushes them.
//!
//! Without `tracing-opentelemetry`, the ids the layers make are W3C-valid and the
//! trace goes on from A to B: in the logs, in the `traceparent` B received, and in
//! the exemplars of both services' `/metrics`.
//!
//! Every child is stopped by its own handle on drop; every wait has a deadline.

use std::io::{BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use monitor_tests::engines::{Engine, PATIENCE};
use monitor_tests::tools;
use serde_json::Value;

/// The trace and parent span of the request sent into A.
const TRACE: &str = "5ce0e9a56015fec5aadfa328ae398115";
const PARENT: &str = "ab42124a3c573678";

/// A child process that prints one line with its address first: its later
/// standard output kept line by line, its standard input held open (closing it
/// asks for a clean stop), killed on drop if still running.
struct Process {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    addr: SocketAddr,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `command` and reads its first line, parsed by `addr`.
    fn start(name: &str, mut command: Command, addr: impl Fn(&str) -> Option<SocketAddr>) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("{name} starts: {error}"));
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("its stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("its first line");
        let Some(addr) = addr(first.trim()) else {
            child.kill().ok();
            child.wait().ok();
            panic!("{name} said {first:?} instead of its address");
        };
        let lines = Arc::new(Mutex::new(Vec::new()));
        let kept = lines.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Process {
            name: name.to_owned(),
            child,
            stdin,
            addr,
            lines,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Closes its standard input and waits for it to exit with success.
    async fn stop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("its status") {
                assert!(status.success(), "{} exited with {status}", self.name);
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not stop when its input closed",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
        }
        self.child.wait().ok();
    }
}

/// Service `name` (its `MONITOR_SERVICE`, hence its `service.name`) with `args`.
fn service(name: &str, args: &[&str]) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trace_service"));
    command
        .args(args)
        .env("MONITOR_SERVICE", name)
        .env("MONITOR_INSTANCE", name)
        .env("RUST_LOG", "info")
        // No batch is sent before the service stops: what arrives was flushed.
        .env("OTEL_BSP_SCHEDULE_DELAY", "3600000")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    Process::start(name, command, |line| {
        line.strip_prefix("listening on ")?.parse().ok()
    })
}

/// The OTLP receiver, when Python and `opentelemetry-proto` are there (in CI they
/// must be: `.ci/run` installs them).
fn receiver() -> Option<Process> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/otlp/receiver.py");
    let (importable, output) = tools::run(
        "python3",
        &[
            "-c",
            "import opentelemetry.proto.collector.trace.v1.trace_service_pb2",
        ],
    );
    if !importable {
        let message = format!(
            "python3 with the `opentelemetry-proto` package is needed by this test \
             (`pip install opentelemetry-proto`, as .ci/run does): {output}"
        );
        assert!(!tools::in_ci(), "{message}");
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n"
        );
        return None;
    }
    let mut command = Command::new("python3");
    command.args([script, "--port", "0"]);
    Some(Process::start("the OTLP receiver", command, |line| {
        let port: u16 = line.strip_prefix("listening ")?.parse().ok()?;
        Some(SocketAddr::from(([127, 0, 0, 1], port)))
    }))
}

/// Reads `read` until `found` gives something or the deadline passes (then panics
/// with the last reading).
async fn eventually<T, R, F>(
    what: &str,
    mut read: impl FnMut() -> F,
    found: impl Fn(&R) -> Option<T>,
) -> T
where
    F: Future<Output = R>,
    R: std::fmt::Debug,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        let reading = read().await;
        if let Some(value) = found(&reading) {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}; last seen: {reading:#?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The JSON log lines of `process` so far (each line must parse).
fn logs(process: &Process) -> Vec<Value> {
    process
        .lines
        .lock()
        .unwrap()
        .iter()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("{}: not JSON ({error}): {line}", process.name))
        })
        .collect()
}

/// The first log line of `process` with `message`, waited for.
async fn log_line(process: &Process, message: &str) -> Value {
    eventually(
        &format!("{} never logged {message:?}", process.name),
        || async { logs(process) },
        |lines| {
            lines
                .iter()
                .find(|line| line["message"] == message)
                .cloned()
        },
    )
    .await
}

/// The string at `pointer` in `value`.
fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {value}"))
}

/// `GET {url}/checkout` with `headers`, answered with B's stock.
async fn checkout(a: &Process, headers: &[(&str, &str)]) {
    let url = format!("{}/checkout", a.url());
    let response = monitor_tests::http::request_with(hyper::Method::GET, &url, headers)
        .await
        .expect("A answers");
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(response.body, "checked out, 42 in stock");
}

/// `len` lower-case hex digits, not all zero: a W3C trace (32) or span (16) id.
fn is_w3c_id(id: &str, len: usize) -> bool {
    id.len() == len
        && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && id.bytes().any(|b| b != b'0')
}

/// A Prometheus storing exemplars, scraping `targets` every second (OpenMetrics,
/// which it asks for by default, carries the exemplars).
async fn prometheus(root: &std::path::Path, targets: &[SocketAddr]) -> Engine {
    let config = root.join("prometheus.yml");
    let targets: Vec<String> = targets.iter().map(|addr| format!("'{addr}'")).collect();
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  \
             - job_name: trace\n    static_configs:\n      - targets: [{}]\n",
            targets.join(", ")
        ),
    )
    .unwrap();
    let config_arg = format!("--config.file={}", config.display());
    Engine::start(
        "prometheus",
        "prometheus",
        &[
            &config_arg,
            "--storage.tsdb.path={dir}/data",
            "--web.listen-address={addr}",
            "--enable-feature=exemplar-storage",
        ],
        root,
        "/-/ready",
    )
    .await
}

/// Every exemplar Prometheus holds for `query` over the last ten minutes, with the
/// labels of its series: `(series labels, exemplar labels)`.
async fn query_exemplars(prometheus: &Engine, query: &str) -> Vec<(Value, Value)> {
    let end = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let params: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("query", query)
        .append_pair("start", &format!("{}", end - 600.0))
        .append_pair("end", &format!("{end}"))
        .finish();
    let url = format!("{}/api/v1/query_exemplars?{params}", prometheus.url());
    let response = monitor_tests::http::get(&url)
        .await
        .expect("prometheus answers");
    let json: Value = serde_json::from_str(&response.body).expect("JSON");
    assert_eq!(json["status"], "success", "{}", response.body);
    json["data"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|series| {
            series["exemplars"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|exemplar| (series["seriesLabels"].clone(), exemplar["labels"].clone()))
        })
        .collect()
}

/// The span id of an exemplar of `metric` with trace id [`TRACE`], on the series of
/// `service` (its scrape address) and `route`, waited for.
async fn exemplar_span(
    prometheus: &Engine,
    metric: &str,
    service: &Process,
    label: (&str, &str),
) -> String {
    let instance = service.addr.to_string();
    eventually(
        &format!(
            "no exemplar of trace {TRACE} on {metric} of {} ({label:?})",
            service.name
        ),
        || query_exemplars(prometheus, metric),
        |exemplars| {
            exemplars.iter().find_map(|(series, exemplar)| {
                (series["instance"] == instance.as_str()
                    && series[label.0] == label.1
                    && exemplar["trace_id"] == TRACE)
                    .then(|| text(exemplar, "/span_id").to_owned())
            })
        },
    )
    .await
}

/// One span as the receiver decoded it.
#[derive(Debug, Clone)]
struct ExportedSpan {
    service: String,
    name: String,
    kind: String,
    trace_id: String,
    span_id: String,
    parent_span_id: Option<String>,
}

/// Every span the receiver got (ids in hex, as the receiver writes them).
async fn exported_spans(receiver: &Process) -> Vec<ExportedSpan> {
    let response = monitor_tests::http::get(&format!("{}/received/traces", receiver.url()))
        .await
        .expect("the receiver answers");
    let requests: Value = serde_json::from_str(&response.body).expect("JSON");
    let mut spans = Vec::new();
    for resource_spans in requests
        .as_array()
        .expect("an array")
        .iter()
        .flat_map(|request| request["resource_spans"].as_array().into_iter().flatten())
    {
        let service = resource_spans["resource"]["attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|attribute| attribute["key"] == "service.name")
            .map(|attribute| text(attribute, "/value/string_value").to_owned())
            .unwrap_or_default();
        for span in resource_spans["scope_spans"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|scope| scope["spans"].as_array().into_iter().flatten())
        {
            spans.push(ExportedSpan {
                service: service.clone(),
                name: text(span, "/name").to_owned(),
                kind: text(span, "/kind").to_owned(),
                trace_id: text(span, "/trace_id").to_owned(),
                span_id: text(span, "/span_id").to_owned(),
                parent_span_id: span["parent_span_id"].as_str().map(str::to_owned),
            });
        }
    }
    spans
}

/// The one span of trace [`TRACE`] from `service` named `name`, of `kind`.
fn one_span<'a>(
    spans: &'a [ExportedSpan],
    service: &str,
    name: &str,
    kind: &str,
) -> &'a ExportedSpan {
    let found: Vec<&ExportedSpan> = spans
        .iter()
        .filter(|span| {
            span.trace_id == TRACE
                && span.service == service
                && span.name == name
                && span.kind == kind
        })
        .collect();
    assert_eq!(found.len(), 1, "{service} {kind} {name:?} in {spans:#?}");
    found[0]
}

#[tokio::test(flavor = "multi_thread")]
async fn one_trace_id_in_logs_exemplars_and_otlp_spans_of_both_services() {
    if !tools::require("prometheus") {
        return;
    }
    let Some(receiver) = receiver() else {
        return;
    };
    let mut b = service("stock-b", &["--port", "0", "--otlp", &receiver.url()]);
    let mut a = service(
        "shop-a",
        &[
            "--port",
            "0",
            "--downstream",
            &b.url(),
            "--otlp",
            &receiver.url(),
        ],
    );
    let root = tempfile::tempdir().unwrap();
    let prometheus = prometheus(root.path(), &[a.addr, b.addr]).await;

    let traceparent = format!("00-{TRACE}-{PARENT}-01");
    checkout(&a, &[("traceparent", &traceparent)]).await;

    // The logs of both services carry the trace.
    let a_line = log_line(&a, "checkout answered").await;
    let b_line = log_line(&b, "stock counted").await;
    assert_eq!(text(&a_line, "/trace_id"), TRACE, "{a_line}");
    assert_eq!(text(&b_line, "/trace_id"), TRACE, "{b_line}");

    // So do the exemplars of both services' request durations in Prometheus (and
    // those of A's outgoing call).
    let server = "http_server_request_duration_seconds_bucket";
    let client = "http_client_request_duration_seconds_bucket";
    let a_exemplar = exemplar_span(&prometheus, server, &a, ("http_route", "/checkout")).await;
    let b_exemplar = exemplar_span(&prometheus, server, &b, ("http_route", "/stock")).await;
    let a_client_exemplar =
        exemplar_span(&prometheus, client, &a, ("server_address", "127.0.0.1")).await;

    // A clean stop sends the spans still held; then every span is at the receiver.
    a.stop().await;
    b.stop().await;
    let spans = eventually(
        "the receiver never got the spans of both services",
        || exported_spans(&receiver),
        |spans: &Vec<ExportedSpan>| {
            let of = |service: &str| {
                spans
                    .iter()
                    .filter(|s| s.trace_id == TRACE && s.service == service)
                    .count()
            };
            (of("shop-a") >= 2 && of("stock-b") >= 2).then(|| spans.clone())
        },
    )
    .await;
    let a_server = one_span(&spans, "shop-a", "GET /checkout", "SPAN_KIND_SERVER");
    let a_client = one_span(&spans, "shop-a", "GET", "SPAN_KIND_CLIENT");
    let b_server = one_span(&spans, "stock-b", "GET /stock", "SPAN_KIND_SERVER");
    let b_monitored = one_span(&spans, "stock-b", "count_stock", "SPAN_KIND_INTERNAL");

    // One trace, parent by parent: the caller's, A's server, A's client, B's
    // server, B's monitored call.
    assert_eq!(
        a_server.parent_span_id.as_deref(),
        Some(PARENT),
        "{a_server:?}"
    );
    assert_eq!(
        a_client.parent_span_id.as_ref(),
        Some(&a_server.span_id),
        "{spans:#?}"
    );
    assert_eq!(
        b_server.parent_span_id.as_ref(),
        Some(&a_client.span_id),
        "{spans:#?}"
    );
    assert_eq!(
        b_monitored.parent_span_id.as_ref(),
        Some(&b_server.span_id),
        "{spans:#?}"
    );
    // B was called with A's client span as the parent.
    assert_eq!(
        text(&b_line, "/fields/traceparent"),
        format!("00-{TRACE}-{}-01", a_client.span_id)
    );

    // Logs and exemplars name the spans OpenTelemetry exported.
    assert_eq!(text(&a_line, "/span_id"), a_server.span_id);
    assert_eq!(text(&b_line, "/span_id"), b_monitored.span_id);
    assert_eq!(text(&b_line, "/spans/0/span_id"), b_server.span_id);
    assert_eq!(a_exemplar, a_server.span_id);
    assert_eq!(b_exemplar, b_server.span_id);
    assert_eq!(a_client_exemplar, a_client.span_id);
}

/// The exemplar of trace `trace` on a bucket of the request durations of `route` in the
/// OpenMetrics exposition of `process`: its span id.
async fn openmetrics_exemplar(process: &Process, route: &str, trace: &str) -> String {
    let url = format!("{}/metrics", process.url());
    let accept = [("accept", "application/openmetrics-text; version=1.0.0")];
    let body = monitor_tests::http::request_with(hyper::Method::GET, &url, &accept)
        .await
        .expect("the service answers /metrics")
        .body;
    let route = format!("http_route=\"{route}\"");
    let trace = format!("trace_id=\"{trace}\"");
    body.lines()
        .filter(|line| line.starts_with("http_server_request_duration_seconds_bucket{"))
        .filter(|line| line.contains(&route) && line.contains(&trace))
        .find_map(|line| {
            let start = line.find("span_id=\"")? + "span_id=\"".len();
            Some(line[start..start + 16].to_owned())
        })
        .unwrap_or_else(|| panic!("no exemplar of {trace} for {route} in:\n{body}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn without_opentelemetry_our_ids_are_w3c_valid_and_go_from_a_to_b() {
    let mut b = service("stock-b", &["--port", "0"]);
    let mut a = service("shop-a", &["--port", "0", "--downstream", &b.url()]);

    // No `traceparent`: A starts the trace with ids of its own.
    checkout(&a, &[]).await;
    let a_line = log_line(&a, "checkout answered").await;
    let b_line = log_line(&b, "stock counted").await;
    let trace = text(&a_line, "/trace_id");
    let a_span = text(&a_line, "/span_id");
    assert!(is_w3c_id(trace, 32), "{a_line}");
    assert!(is_w3c_id(a_span, 16), "{a_line}");

    // B continues it: its logs, and the `traceparent` it was called with, whose
    // parent is A's client span (neither A's server span nor B's own).
    assert_eq!(text(&b_line, "/trace_id"), trace, "{b_line}");
    let b_server_span = text(&b_line, "/spans/0/span_id");
    assert!(is_w3c_id(b_server_span, 16), "{b_line}");
    let received = text(&b_line, "/fields/traceparent");
    let parts: Vec<&str> = received.split('-').collect();
    assert_eq!(parts.len(), 4, "{received}");
    assert_eq!(
        (parts[0], parts[1], parts[3]),
        ("00", trace, "01"),
        "{received}"
    );
    assert!(is_w3c_id(parts[2], 16), "{received}");
    assert_ne!(parts[2], a_span, "the client span is a span of its own");
    assert_ne!(parts[2], b_server_span);
    assert_ne!(a_span, b_server_span);

    // The exemplars of both services' request durations carry the trace, each
    // with its server span.
    assert_eq!(openmetrics_exemplar(&a, "/checkout", trace).await, a_span);
    assert_eq!(
        openmetrics_exemplar(&b, "/stock", trace).await,
        b_server_span
    );

    a.stop().await;
    b.stop().await;
}
