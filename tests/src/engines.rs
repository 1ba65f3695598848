//! The distributed metrics engines of the scale-out tests, each a real process on
//! 127.0.0.1 and a free port, with its files in a temporary directory, stopped by
//! its own handle on drop: VictoriaMetrics (single node), vmagent, vmalert, the
//! Pushgateway, Alertmanager, and Prometheus as a remote-write receiver. Also the
//! replicas of the test app (`scale_app`) and a webhook that collects what
//! Alertmanager sends.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub use crate::prometheus_server::QuerySample;

/// How long an engine may take to start or a condition to come true. These bound
/// waits so that a broken set-up fails instead of hanging; they assert nothing
/// about speed.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A port nobody listens on now: bound then released.
pub fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
}

/// One running engine.
pub struct Engine {
    name: &'static str,
    child: Option<Child>,
    addr: SocketAddr,
    dir: PathBuf,
    program: String,
    args: Vec<String>,
    ready_path: &'static str,
}

impl Engine {
    /// Starts `program` with `args` (`{addr}` and `{dir}` replaced by the listen
    /// address and the engine's directory under `root`), and waits until
    /// `ready_path` answers 200.
    ///
    /// # Panics
    ///
    /// If it cannot start or never becomes ready; its log is in the message.
    pub async fn start(
        name: &'static str,
        program: &str,
        args: &[&str],
        root: &Path,
        ready_path: &'static str,
    ) -> Self {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("the engine's directory");
        let addr = free_addr();
        let args = args
            .iter()
            .map(|arg| {
                arg.replace("{addr}", &addr.to_string())
                    .replace("{dir}", &dir.display().to_string())
            })
            .collect();
        let mut engine = Engine {
            name,
            child: None,
            addr,
            dir,
            program: program.to_owned(),
            args,
            ready_path,
        };
        engine.spawn().await;
        engine
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("log"))
            .expect("the engine's log");
        let child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("`{}` runs: {error}", self.program));
        self.child = Some(child);
        let deadline = Instant::now() + PATIENCE;
        loop {
            let ready = crate::http::get(&format!("{}{}", self.url(), self.ready_path)).await;
            if ready.is_ok_and(|response| response.status.is_success()) {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten())
            {
                panic!("{} exited ({status}); its log:\n{}", self.name, self.log());
            }
            assert!(
                Instant::now() < deadline,
                "{} did not become ready; its log:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the process (its files stay): what a receiver's outage looks like. It
    /// is asked to terminate (`SIGTERM`), so that it persists what it acknowledged,
    /// as a receiver taken down for maintenance does; killed if still running after
    /// ten seconds.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = i32::try_from(child.id()).expect("a pid");
            // SAFETY: signals our own child, which has not been waited for yet.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            child.kill().ok();
            child.wait().ok();
        }
    }

    /// Starts it again, same address, same files.
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `host:port`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// Runs an instant query (the Prometheus HTTP API, which VictoriaMetrics and
    /// Prometheus both serve).
    ///
    /// # Panics
    ///
    /// If the engine answers with an error or not a vector.
    pub async fn query(&self, expr: &str) -> Vec<QuerySample> {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("query", expr)
            .finish();
        let url = format!("{}/api/v1/query?{query}", self.url());
        let response = crate::http::get(&url)
            .await
            .unwrap_or_else(|error| panic!("query `{expr}`: {error}"));
        let json: Value = serde_json::from_str(&response.body)
            .unwrap_or_else(|error| panic!("query `{expr}`: {error}: {}", response.body));
        assert_eq!(
            json["status"], "success",
            "query `{expr}`: {}",
            response.body
        );
        json["data"]["result"]
            .as_array()
            .unwrap_or_else(|| panic!("query `{expr}`: no vector: {}", response.body))
            .iter()
            .map(QuerySample::from_json)
            .collect()
    }

    /// Queries `expr` until `accept` takes the result, which it returns.
    ///
    /// # Panics
    ///
    /// After [`PATIENCE`], with the last result and the engine's log.
    pub async fn query_until(
        &self,
        expr: &str,
        accept: impl Fn(&[QuerySample]) -> bool,
    ) -> Vec<QuerySample> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let result = self.query(expr).await;
            if accept(&result) {
                return result;
            }
            assert!(
                Instant::now() < deadline,
                "{}: query `{expr}` never gave the expected result; last: {result:?}\nlog:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A single-node VictoriaMetrics: remote-write at `/api/v1/write`, the Prometheus
/// query API, raw samples at `/api/v1/export`. Queries see samples at once
/// (`-search.latencyOffset=0s`, no response cache).
pub async fn victoria_metrics(root: &Path) -> Engine {
    Engine::start(
        "victoria-metrics",
        "victoria-metrics",
        &[
            "-httpListenAddr={addr}",
            "-storageDataPath={dir}/data",
            "-retentionPeriod=1d",
            "-search.latencyOffset=0s",
            "-search.disableCache",
            "-dedup.minScrapeInterval=0s",
        ],
        root,
        "/health",
    )
    .await
}

/// Every raw sample VictoriaMetrics holds for the series `selector` matches, as
/// (labels, values in time order).
pub async fn export(
    vm: &Engine,
    selector: &str,
) -> Vec<(serde_json::Map<String, Value>, Vec<f64>)> {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("match[]", selector)
        .finish();
    let response = crate::http::get(&format!("{}/api/v1/export?{query}", vm.url()))
        .await
        .expect("export");
    response
        .body
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let json: Value = serde_json::from_str(line).expect("an exported series");
            let values = json["values"]
                .as_array()
                .expect("values")
                .iter()
                .filter_map(Value::as_f64)
                .collect();
            (
                json["metric"].as_object().cloned().unwrap_or_default(),
                values,
            )
        })
        .collect()
}

/// Prometheus with its remote-write receiver enabled and nothing to scrape.
pub async fn prometheus_receiver(root: &Path) -> Engine {
    let dir = root.join("prometheus-receiver");
    std::fs::create_dir_all(&dir).expect("a directory");
    std::fs::write(
        dir.join("prometheus.yml"),
        "global:\n  scrape_interval: 1s\n",
    )
    .expect("the configuration");
    Engine::start(
        "prometheus-receiver",
        "prometheus",
        &[
            "--config.file={dir}/prometheus.yml",
            "--storage.tsdb.path={dir}/data",
            "--web.listen-address={addr}",
            "--web.enable-remote-write-receiver",
        ],
        root,
        "/-/ready",
    )
    .await
}

/// vmagent scraping `targets` every second (job `scale`) and remote-writing to
/// `vm`.
pub async fn vmagent(root: &Path, targets: &[SocketAddr], vm: &Engine) -> Engine {
    let dir = root.join("vmagent");
    std::fs::create_dir_all(&dir).expect("a directory");
    let targets: Vec<String> = targets.iter().map(|addr| format!("'{addr}'")).collect();
    std::fs::write(
        dir.join("scrape.yml"),
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: scale\n    \
             static_configs:\n      - targets: [{}]\n",
            targets.join(", ")
        ),
    )
    .expect("the scrape configuration");
    let remote = format!("-remoteWrite.url={}/api/v1/write", vm.url());
    Engine::start(
        "vmagent",
        "vmagent",
        &[
            "-httpListenAddr={addr}",
            "-promscrape.config={dir}/scrape.yml",
            "-remoteWrite.tmpDataPath={dir}/buffer",
            "-remoteWrite.flushInterval=200ms",
            &remote,
        ],
        root,
        "/health",
    )
    .await
}

/// vmalert evaluating the rule file `rules` (YAML) every second against `vm`,
/// notifying `alertmanager`.
pub async fn vmalert(root: &Path, rules: &str, vm: &Engine, alertmanager: &Engine) -> Engine {
    let dir = root.join("vmalert");
    std::fs::create_dir_all(&dir).expect("a directory");
    std::fs::write(dir.join("rules.yml"), rules).expect("the rules");
    let datasource = format!("-datasource.url={}", vm.url());
    let notifier = format!("-notifier.url={}", alertmanager.url());
    let remote_write = format!("-remoteWrite.url={}", vm.url());
    let remote_read = format!("-remoteRead.url={}", vm.url());
    Engine::start(
        "vmalert",
        "vmalert",
        &[
            "-httpListenAddr={addr}",
            "-rule={dir}/rules.yml",
            "-evaluationInterval=1s",
            &datasource,
            &notifier,
            &remote_write,
            &remote_read,
        ],
        root,
        "/health",
    )
    .await
}

/// Alertmanager sending every alert to `webhook` at once (group wait 0 s,
/// clustering off).
pub async fn alertmanager(root: &Path, webhook: &str) -> Engine {
    let dir = root.join("alertmanager");
    std::fs::create_dir_all(&dir).expect("a directory");
    std::fs::write(
        dir.join("alertmanager.yml"),
        format!(
            "route:\n  receiver: test\n  group_by: ['alertname']\n  group_wait: 0s\n  \
             group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: test\n    \
             webhook_configs:\n      - url: '{webhook}'\n        send_resolved: false\n"
        ),
    )
    .expect("the configuration");
    Engine::start(
        "alertmanager",
        "prometheus-alertmanager",
        &[
            "--config.file={dir}/alertmanager.yml",
            "--storage.path={dir}/data",
            "--web.listen-address={addr}",
            "--cluster.listen-address=",
        ],
        root,
        "/-/ready",
    )
    .await
}

/// The Prometheus Pushgateway.
pub async fn pushgateway(root: &Path) -> Engine {
    Engine::start(
        "pushgateway",
        "prometheus-pushgateway",
        &["--web.listen-address={addr}"],
        root,
        "/-/ready",
    )
    .await
}

/// An HTTP server in the test that keeps the JSON body of every POST.
pub struct Webhook {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Value>>>,
    _server: crate::server::TestServer,
}

impl Webhook {
    /// Starts it on 127.0.0.1 and a free port.
    pub fn start() -> Self {
        let received: Arc<Mutex<Vec<Value>>> = Arc::default();
        let sink = Arc::clone(&received);
        let routes = axum::Router::new().route(
            "/webhook",
            axum::routing::post(move |body: String| async move {
                if let Ok(json) = serde_json::from_str(&body) {
                    sink.lock()
                        .unwrap_or_else(|poison| poison.into_inner())
                        .push(json);
                }
                "ok"
            }),
        );
        let server = crate::server::TestServer::start_with(routes);
        Webhook {
            addr: server.addr(),
            received,
            _server: server,
        }
    }

    /// `http://ADDR/webhook`.
    pub fn url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }

    /// Every body received so far.
    pub fn received(&self) -> Vec<Value> {
        self.received
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .clone()
    }
}

/// A replica of the test app (`scale_app`), a process of its own.
pub struct Replica {
    child: Child,
    addr: SocketAddr,
    stdout: Option<BufReader<ChildStdout>>,
}

impl Replica {
    /// Starts `binary` (the test's `env!("CARGO_BIN_EXE_scale_app")`) as `instance`
    /// of `service`, with `env` added, and waits for its address.
    ///
    /// # Panics
    ///
    /// If it does not start.
    pub fn start(binary: &str, service: &str, instance: &str, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(binary)
            .env("MONITOR_SERVICE", service)
            .env("MONITOR_INSTANCE", instance)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the test app runs");
        let mut stdout = BufReader::new(child.stdout.take().expect("its stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("its first line");
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("the test app said {line:?}"));
        Replica {
            child,
            addr,
            stdout: Some(stdout),
        }
    }

    /// The exporter's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Makes `ok` successful and `err` failing calls of `work`.
    ///
    /// # Panics
    ///
    /// If the app does not answer 200.
    pub async fn work(&self, ok: u32, err: u32) {
        let response = crate::http::get(&format!("http://{}/work?ok={ok}&err={err}", self.addr))
            .await
            .expect("the app answers");
        assert!(response.status.is_success(), "{response:?}");
    }

    /// Asks for a clean exit, waits for it, and returns what the app printed
    /// after its address.
    ///
    /// # Panics
    ///
    /// If it does not exit with success.
    pub async fn quit(mut self) -> String {
        crate::http::request(hyper::Method::POST, &format!("http://{}/quit", self.addr))
            .await
            .expect("the app answers /quit");
        let mut stdout = self.stdout.take().expect("read once");
        let rest = tokio::task::spawn_blocking(move || {
            let mut rest = String::new();
            stdout.read_to_string(&mut rest).ok();
            rest
        })
        .await
        .expect("read the app's output");
        let status = self.child.wait().expect("the app exits");
        assert!(status.success(), "the app exited with {status}: {rest}");
        rest
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
        }
        self.child.wait().ok();
    }
}
