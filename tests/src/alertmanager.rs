//! A real Alertmanager for end-to-end tests: a temporary configuration and storage,
//! a free port on 127.0.0.1, clustering off, stopped on drop.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the server may take to start: bounds a wait so that a broken set-up
/// fails instead of hanging; it asserts nothing about speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `alertmanager` process.
pub struct AlertmanagerServer {
    child: Child,
    addr: SocketAddr,
    // Holds the configuration, the storage and the server's log until drop.
    dir: tempfile::TempDir,
}

/// The Alertmanager binary: `alertmanager` upstream, `prometheus-alertmanager` as
/// Debian installs it.
pub const PROGRAMS: [&str; 2] = ["alertmanager", "prometheus-alertmanager"];

/// Whether an Alertmanager binary is installed; as [`crate::tools::require`] when
/// none is (a failure in CI, a loud skip elsewhere).
pub fn require() -> bool {
    PROGRAMS
        .iter()
        .any(|program| crate::tools::find(program).is_some())
        || crate::tools::require("prometheus-alertmanager")
}

impl AlertmanagerServer {
    /// Starts `alertmanager` with the configuration `config` (YAML) and waits until
    /// it is ready.
    ///
    /// # Panics
    ///
    /// If the server cannot start or never becomes ready; its log is printed.
    pub async fn start(config: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory for alertmanager");
        let config_path = dir.path().join("alertmanager.yml");
        std::fs::write(&config_path, config).expect("write the alertmanager configuration");
        let addr = free_port();
        let log = std::fs::File::create(dir.path().join("alertmanager.log")).expect("log file");
        let program = PROGRAMS
            .into_iter()
            .find(|program| crate::tools::find(program).is_some())
            .unwrap_or(PROGRAMS[0]);
        let child = Command::new(program)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            // No cluster: no gossip port to clash with another test.
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect(
                "`alertmanager` runs (install it with `apt-get install prometheus-alertmanager`)",
            );
        let server = Self { child, addr, dir };
        server.wait_ready().await;
        server
    }

    /// `host:port` of the server.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` of the server.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("alertmanager.log")).unwrap_or_default()
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
                "alertmanager did not become ready; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The alerts Alertmanager holds (`GET /api/v2/alerts`).
    ///
    /// # Panics
    ///
    /// If the server does not answer with a JSON array.
    pub async fn alerts(&self) -> Vec<Value> {
        let response = crate::http::get(&format!("{}/api/v2/alerts", self.url()))
            .await
            .expect("alertmanager answers");
        let json: Value = serde_json::from_str(&response.body)
            .unwrap_or_else(|error| panic!("{error}: {}", response.body));
        json.as_array().cloned().expect("an array of alerts")
    }
}

impl Drop for AlertmanagerServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
}
