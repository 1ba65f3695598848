//! A real Prometheus server for end-to-end tests: temporary configuration and
//! storage, a free port on 127.0.0.1, a 1 s scrape interval, stopped on drop.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the server may take to start, and a query to see what it expects. These
/// bound waits so that a broken set-up fails instead of hanging; they assert nothing
/// about speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `prometheus` process scraping the given targets every second.
pub struct PrometheusServer {
    child: Child,
    addr: SocketAddr,
    // Holds the configuration, the storage and the server's log until drop.
    dir: tempfile::TempDir,
}

/// One element of an instant query's result vector.
#[derive(Debug, Clone, PartialEq)]
pub struct QuerySample {
    /// The series' labels, `__name__` included when the query keeps it.
    pub labels: Vec<(String, String)>,
    /// The sample value.
    pub value: f64,
}

impl QuerySample {
    /// One element of the `result` vector of a query API answer (Prometheus' and
    /// VictoriaMetrics' alike): `{"metric": {...}, "value": [time, "value"]}`.
    ///
    /// # Panics
    ///
    /// If the element has no labels or no value.
    pub fn from_json(element: &Value) -> Self {
        Self {
            labels: element["metric"]
                .as_object()
                .expect("metric labels")
                .iter()
                .map(|(key, value)| (key.clone(), value.as_str().unwrap_or("").to_owned()))
                .collect(),
            value: element["value"][1]
                .as_str()
                .and_then(|value| value.parse().ok())
                .expect("sample value"),
        }
    }

    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl PrometheusServer {
    /// Starts `prometheus` scraping `targets` (as job `test`, path `/metrics`) every
    /// second, and waits until it is ready.
    ///
    /// # Panics
    ///
    /// If the server cannot start or never becomes ready; its log is printed.
    pub async fn start(targets: &[SocketAddr]) -> Self {
        let targets: Vec<String> = targets.iter().map(ToString::to_string).collect();
        Self::start_job(&targets, "").await
    }

    /// As [`PrometheusServer::start`], with `targets` as `host:port` and `job`
    /// added to the scrape job: lines of YAML indented by four spaces, such as
    /// `    scheme: https\n` or an `authorization` block.
    pub async fn start_job(targets: &[String], job: &str) -> Self {
        Self::start_configured(targets, job, None).await
    }

    /// As [`PrometheusServer::start`], evaluating `rules` (a rule file) every second
    /// and sending its alerts to the Alertmanager at `alertmanager`, with the
    /// external label `source="prometheus"` (so they are told apart from other
    /// senders' in Alertmanager).
    pub async fn start_alerting(
        targets: &[SocketAddr],
        rules: &str,
        alertmanager: SocketAddr,
    ) -> Self {
        let targets: Vec<String> = targets.iter().map(ToString::to_string).collect();
        Self::start_configured(&targets, "", Some((rules, alertmanager))).await
    }

    async fn start_configured(
        targets: &[String],
        job: &str,
        alerting: Option<(&str, SocketAddr)>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for prometheus");
        let targets: Vec<String> = targets.iter().map(|addr| format!("'{addr}'")).collect();
        let mut config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: test\n    metrics_path: /metrics\n{job}    \
             static_configs:\n      - targets: [{}]\n",
            targets.join(", ")
        );
        if let Some((rules, alertmanager)) = alerting {
            let rules_path = dir.path().join("rules.yml");
            std::fs::write(&rules_path, rules).expect("write the rule file");
            config = config.replacen(
                "global:\n",
                "global:\n  external_labels:\n    source: prometheus\n",
                1,
            );
            config.push_str(&format!(
                "rule_files: ['{}']\nalerting:\n  alertmanagers:\n    - static_configs:\n        \
                 - targets: ['{alertmanager}']\n",
                rules_path.display()
            ));
        }
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config).expect("write the prometheus configuration");
        let addr = free_port();
        let log = std::fs::File::create(dir.path().join("prometheus.log")).expect("log file");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            // Resolved and firing alerts go to Alertmanager at every evaluation.
            .arg("--rules.alert.resend-delay=1s")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("`prometheus` runs (install it with `apt-get install prometheus`)");
        let server = Self { child, addr, dir };
        server.wait_ready().await;
        server
    }

    /// `http://ADDR` of the server.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        read_log(self.dir.path())
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let ready = crate::http::get(&format!("{}/-/ready", self.url())).await;
            if ready.is_ok_and(|response| response.status.is_success()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "prometheus did not become ready; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The alerts of its rules (`GET /api/v1/alerts`): labels, `state`, `value`.
    ///
    /// # Panics
    ///
    /// If the server answers with an error.
    pub async fn alerts(&self) -> Vec<Value> {
        let response = crate::http::get(&format!("{}/api/v1/alerts", self.url()))
            .await
            .expect("prometheus answers");
        let json: Value = serde_json::from_str(&response.body)
            .unwrap_or_else(|error| panic!("{error}: {}", response.body));
        json["data"]["alerts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Runs an instant query and returns its result vector.
    ///
    /// # Panics
    ///
    /// If the server answers with an error or not a vector.
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
            "query `{expr}` failed: {}",
            response.body
        );
        assert_eq!(
            json["data"]["resultType"], "vector",
            "query `{expr}`: {}",
            response.body
        );
        json["data"]["result"]
            .as_array()
            .expect("result array")
            .iter()
            .map(QuerySample::from_json)
            .collect()
    }

    /// Queries `expr` until `accept` takes its result (a scrape has happened), and
    /// returns that result. Gives up after a minute with the last result and the
    /// server's log in the panic message.
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
                "query `{expr}` never gave the expected result; last: {result:?}\nlog:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A port nobody listens on now: bound then released.
fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
}

fn read_log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default()
}
