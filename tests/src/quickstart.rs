//! Builds and drives the `quickstart` demo service, its own package in `examples/`.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long to wait for the binary to print or to exit before failing (not a speed
/// assertion: a hung process must fail the test, not hang it).
const PATIENCE: Duration = Duration::from_secs(60);

/// Builds the `quickstart` binary (a no-op when it is up to date) with the cargo
/// running these tests, once per test binary, and returns the path of its executable.
///
/// # Panics
///
/// If the build fails; cargo's output is in the message.
pub fn build() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build_now).clone()
}

fn build_now() -> PathBuf {
    let mut command = Command::new(env!("CARGO"));
    command.args([
        "build",
        "--package",
        "quickstart",
        "--bin",
        "quickstart",
        "--message-format=json-render-diagnostics",
    ]);
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building the quickstart failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "quickstart")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the quickstart executable")
}

/// A running quickstart, killed on drop if still running.
pub struct Quickstart {
    child: Child,
    lines: Receiver<String>,
    /// Every line printed on stdout so far.
    pub printed: Vec<String>,
}

impl Quickstart {
    /// Starts `binary` with `args`, stdout captured line by line.
    pub fn spawn(binary: &PathBuf, args: &[&str]) -> Self {
        let mut child = Command::new(binary)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the quickstart starts");
        let (sender, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let err_sender = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if err_sender.send(format!("stderr: {line}")).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            printed: Vec::new(),
        }
    }

    /// Reads printed lines until one satisfies `wanted`, and returns it.
    ///
    /// # Panics
    ///
    /// If the process stops printing (exits) or takes longer than a minute.
    pub fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.printed.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "the quickstart printed no such line; so far: {:#?}",
                        self.printed
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "the quickstart stopped printing; it printed: {:#?}",
                        self.printed
                    )
                }
            }
        }
    }

    /// The URL printed for `page` (`metrics`, `dashboard`…), from lines such as
    /// `  metrics    http://127.0.0.1:9898/metrics`.
    pub fn url_of(&mut self, page: &str) -> String {
        let line = self.wait_for_line(|line| {
            line.split_whitespace().next() == Some(page) && line.contains("http://")
        });
        line.split_whitespace()
            .find(|word| word.starts_with("http://"))
            .expect("a URL")
            .to_owned()
    }

    /// Sends SIGINT, as Ctrl-C does in a terminal.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("`kill` runs");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for the process to exit and collects the rest of its output.
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the quickstart") {
                self.printed.extend(self.lines.try_iter());
                // The reader threads finish once the pipes close.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
                    self.printed.push(line);
                }
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the quickstart did not exit; it printed: {:#?}",
                self.printed
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Quickstart {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}
