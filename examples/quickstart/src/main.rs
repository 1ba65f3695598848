//! A small demo service: a shop whose monitored functions for orders, logins and
//! sign-ups are served as an HTTP API (`api`) next to the exporter on
//! 127.0.0.1:9898, measured by the HTTP metrics layer, and a background workload
//! that calls the API over HTTP (some calls fail, some paths do not exist).
//!
//! ```sh
//! cargo run -p quickstart
//! cargo run -p quickstart -- --addr 127.0.0.1:0 --exit-after 10
//! cargo run -p quickstart -- --token s3cret --tls-cert cert.pem --tls-key key.pem
//! cargo run -p quickstart -- --json-logs
//! ```
//!
//! Then open the printed URLs. Ctrl-C stops it.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

mod alerts;
mod api;
mod business;
mod client;
mod health;
mod logins;
mod orders;
mod watch;

/// The pages printed at start-up: `(what, path)`.
const PAGES: &[(&str, &str)] = &[
    ("metrics", "/metrics"),
    ("dashboard", "/dashboard"),
    ("health", "/health"),
    ("readiness", "/readyz?verbose"),
    ("api", "/orders/1"),
];

const USAGE: &str = "usage: quickstart [--addr HOST:PORT] [--exit-after SECONDS]
                  [--token TOKEN] [--tls-cert FILE --tls-key FILE] [--json-logs]

  --addr HOST:PORT        where to serve (default 127.0.0.1:9898; port 0 picks a free one)
  --exit-after SECONDS    stop after this many seconds instead of waiting for Ctrl-C
  --token TOKEN           require `Authorization: Bearer TOKEN` for /metrics, /dashboard
                          and health details (default: the MONITOR_TOKEN variable)
  --tls-cert FILE         serve HTTPS with this PEM certificate chain...
  --tls-key FILE          ...and this PEM private key
  --json-logs             log JSON lines on stdout (span fields, secrets redacted;
                          levels from RUST_LOG, default info)
  --print-rules           print the alert rules (a Prometheus rule file) and exit
  --print-prometheus      print a Prometheus configuration that scrapes the quickstart
                          at --addr in every format it writes, and exit";

/// Command-line options.
struct Options {
    addr: String,
    exit_after: Option<Duration>,
    token: Option<String>,
    tls: Option<(String, String)>,
    json_logs: bool,
    print_prometheus: bool,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut options = Options {
            addr: "127.0.0.1:9898".to_owned(),
            exit_after: None,
            token: None,
            tls: None,
            json_logs: false,
            print_prometheus: false,
        };
        let (mut tls_cert, mut tls_key) = (None, None);
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
                None => (arg, None),
            };
            let mut value = || {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("`{flag}` needs a value"))
            };
            match flag.as_str() {
                "--addr" => {
                    let addr = value()?;
                    addr.parse::<SocketAddr>().map_err(|error| {
                        format!(
                            "`--addr {addr}`: {error} (expected HOST:PORT, like 127.0.0.1:9898)"
                        )
                    })?;
                    options.addr = addr;
                }
                "--exit-after" => {
                    let seconds = value()?;
                    let parsed = seconds
                        .parse::<f64>()
                        .ok()
                        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
                        .ok_or_else(|| {
                            format!("`--exit-after {seconds}`: expected a number of seconds")
                        })?;
                    options.exit_after = Some(Duration::from_secs_f64(parsed));
                }
                "--token" => options.token = Some(value()?),
                "--tls-cert" => tls_cert = Some(value()?),
                "--tls-key" => tls_key = Some(value()?),
                "--json-logs" if inline.is_none() => options.json_logs = true,
                "--print-prometheus" if inline.is_none() => options.print_prometheus = true,
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        options.tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err("`--tls-cert` and `--tls-key` go together".to_owned()),
        };
        Ok(options)
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    monitor_runtime::alerts::configure(alerts::definitions());
    if std::env::args().any(|arg| arg == "--print-rules") {
        print!("{}", monitor_runtime::alerts::current().rules().to_yaml());
        return ExitCode::SUCCESS;
    }
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("quickstart: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if options.print_prometheus {
        print!("{}", prometheus_config(&options));
        return ExitCode::SUCCESS;
    }
    if let Err(error) = install_tracing(options.json_logs) {
        eprintln!("quickstart: {error}");
        return ExitCode::from(2);
    }

    let exporter = match exporter(&options).await {
        Ok(exporter) => exporter,
        Err(error) => {
            eprintln!("quickstart: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = exporter.local_addr();
    let _alerts = alerts::start_embedded();
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };

    let token = options
        .token
        .clone()
        .or_else(|| std::env::var("MONITOR_TOKEN").ok());
    let client = match &options.tls {
        None => client::Client::plain(addr, token),
        Some((cert, _)) => match client::Client::tls(addr, token, cert.as_ref()) {
            Ok(client) => client,
            Err(error) => {
                eprintln!("quickstart: {error}");
                return ExitCode::FAILURE;
            }
        },
    };
    api::start_workload(client);
    business::start();
    health::start();
    // The catalogue database lives in a temporary directory, removed at exit.
    let catalogue_dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("quickstart: no temporary directory for the catalogue: {error}");
            return ExitCode::FAILURE;
        }
    };
    let peer = options.tls.is_none().then_some(addr);
    if let Some(addr) = peer {
        api::set_stock_service(addr);
    }
    if let Err(error) = watch::start(catalogue_dir.path(), peer).await {
        eprintln!("quickstart: {error}");
        return ExitCode::FAILURE;
    }

    println!("quickstart: a demo shop is taking orders and logins");
    for (what, path) in PAGES {
        println!("  {what:<10} {scheme}://{addr}{path}");
    }
    if options.token.is_some() || std::env::var_os("MONITOR_TOKEN").is_some() {
        println!("  (send `Authorization: Bearer <token>`; /livez and /readyz stay public)");
    }
    println!("  prometheus `quickstart --print-prometheus` prints a scrape configuration");
    println!(
        "  traces     each API request runs in the trace of its `traceparent`; an order calls
             GET /stock/{{product}} through the client layer in the same trace. Its id:
             exemplars  curl -H 'Accept: application/openmetrics-text' {scheme}://{addr}/metrics | grep trace_id
                        (a Prometheus with --enable-feature=exemplar-storage: /api/v1/query_exemplars)
             logs       --json-logs writes trace_id and span_id on every line"
    );
    match options.exit_after {
        Some(after) => println!("stopping after {} s", after.as_secs_f64()),
        None => println!("press Ctrl-C to stop"),
    }

    let exit_after = options.exit_after;
    let shutdown = async move {
        match exit_after {
            Some(after) => tokio::select! {
                _ = tokio::time::sleep(after) => {}
                _ = tokio::signal::ctrl_c() => {}
            },
            None => {
                tokio::signal::ctrl_c().await.ok();
            }
        }
    };
    match exporter.run(shutdown).await {
        Ok(()) => {
            println!("quickstart: stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("quickstart: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The tracing subscriber: the trace of each order's span as the thread's context
/// (for exemplars), and with `--json-logs` the JSON log lines.
fn install_tracing(json_logs: bool) -> Result<(), String> {
    use tracing_subscriber::layer::SubscriberExt as _;
    let logs = if json_logs {
        Some(monitor_runtime::logs::layer().map_err(|error| error.to_string())?)
    } else {
        None
    };
    let subscriber = tracing_subscriber::registry()
        .with(monitor_runtime::exemplars::ContextLayer::new())
        .with(logs);
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| "a global tracing subscriber is installed already".to_owned())
}

/// A Prometheus configuration that scrapes the quickstart the options describe,
/// with the flags that make Prometheus read all it writes.
fn prometheus_config(options: &Options) -> String {
    let mut job = String::new();
    if let Some((cert, _)) = &options.tls {
        job.push_str(&format!(
            "    scheme: https\n    tls_config:\n      ca_file: {cert}\n      server_name: localhost\n"
        ));
    }
    let token = options
        .token
        .clone()
        .or_else(|| std::env::var("MONITOR_TOKEN").ok());
    if let Some(token) = token {
        job.push_str(&format!(
            "    authorization:\n      type: Bearer\n      credentials: {token}\n"
        ));
    }
    format!(
        "# Prometheus for the quickstart at {addr}.
#
# Prometheus 2.x reads everything the quickstart writes when started with
#   prometheus --config.file=prometheus.yml --enable-feature=native-histograms,exemplar-storage
# native-histograms: it asks for the protobuf format, which carries the native
#   histogram of `charge_payment` and the exemplars;
# exemplar-storage: it keeps exemplars (the trace id of an order beside the latency
#   bucket it went into: /api/v1/query_exemplars, Grafana's exemplar switch).
# Without the flags it asks for OpenMetrics (exemplars, no native histograms).
# Prometheus 3.x: --enable-feature=exemplar-storage, and in the job
#   scrape_protocols: [PrometheusProto, OpenMetricsText1.0.0, PrometheusText0.0.4]
# A job with `params: {{format: [text]}}` (or `openmetrics`, `protobuf`) gets that
# format whatever it asks for.
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: quickstart
{job}    static_configs:
      - targets: ['{addr}']
",
        addr = options.addr
    )
}

/// The exporter the options describe: bound, serving the shop's API under the HTTP
/// metrics layer, with its token and TLS files.
async fn exporter(
    options: &Options,
) -> Result<monitor_runtime::Exporter, monitor_runtime::ServeError> {
    let mut exporter = monitor_runtime::Exporter::bind(&options.addr)
        .await?
        .merge(api::router())
        .layer(api::layer());
    if let Some(token) = &options.token {
        exporter = exporter.token(token.as_str());
    }
    if let Some((cert, key)) = &options.tls {
        exporter = exporter.tls(cert, key)?;
    }
    Ok(exporter)
}

/// A number from 0 to 99, different at every call: enough randomness for a demo
/// without a dependency.
fn percent() -> u64 {
    random() % 100
}

/// A random number, different at every call.
fn random() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    use std::sync::atomic::{AtomicU64, Ordering};
    static DRAWS: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(DRAWS.fetch_add(1, Ordering::Relaxed))
}
