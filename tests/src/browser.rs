//! A headless Chromium driven over WebDriver (`chromedriver` on a free port of
//! 127.0.0.1, a fresh profile), stopped by its own handle on drop.
//!
//! chromedriver runs in a process group of its own, so that dropping the browser
//! stops it and the Chromium processes it started (which outlive a killed
//! chromedriver otherwise), and nothing else.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::tools;

/// Bounds the wait for chromedriver to answer; asserts nothing about speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// The flags of a quiet, self-contained headless Chromium.
const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// A running chromedriver with one browser session.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    // The browser profile, removed on drop.
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session, with a window of
    /// `width` × `height` pixels. Returns `None` (after a loud notice) when either
    /// program is missing outside CI; in CI a missing program fails the test.
    ///
    /// # Panics
    ///
    /// If chromedriver does not start or the session cannot be created.
    pub async fn start(width: u32, height: u32) -> Option<Self> {
        if !tools::require("chromedriver") || !tools::require("chromium") {
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new("chromedriver");
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a browser profile directory");
        let mut browser = Self {
            client: None,
            driver,
            _profile: profile,
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + PATIENCE;
        while !crate::http::get(&format!("{url}/status"))
            .await
            .is_ok_and(|response| response.status.is_success())
        {
            assert!(
                Instant::now() < deadline,
                "chromedriver never answered on {url}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut args: Vec<String> = FLAGS.iter().map(|flag| (*flag).to_owned()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        ));
        args.push(format!("--window-size={width},{height}"));
        let mut options = json!({ "args": args });
        if let Some(binary) = tools::find("chromium") {
            options["binary"] = json!(binary.display().to_string());
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".to_owned(), options);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("a chromium session");
        browser.client = Some(client);
        Some(browser)
    }

    /// The WebDriver session.
    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("a session")
    }

    /// Ends the session and stops chromedriver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take()
            && let Err(error) = client.close().await
        {
            eprintln!("the browser session did not close: {error}");
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The group chromedriver leads: it and the browser it started.
        #[cfg(unix)]
        if let Ok(group) = i32::try_from(self.driver.id()) {
            // SAFETY: `kill` has no memory effects; the group is the one this
            // helper made for the chromedriver it spawned.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}
