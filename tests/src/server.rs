//! A test app's exporter on 127.0.0.1 and a free port, stopped on drop.

use std::net::SocketAddr;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

/// The framework's exporter (`/metrics`, `/dashboard`, the 404 fallback) serving the
/// test binary's own global registry, on its own thread and runtime so that both
/// synchronous and `#[tokio::test]` tests can use it. Dropping it shuts the server
/// down gracefully and waits for it.
pub struct TestServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Binds `127.0.0.1:0` and starts serving.
    ///
    /// # Panics
    ///
    /// If the exporter cannot bind or registration reports problems.
    pub fn start() -> Self {
        Self::start_with(axum::Router::new())
    }

    /// As [`TestServer::start`], with `routes` merged next to the framework's own.
    pub fn start_with(routes: axum::Router) -> Self {
        Self::start_configured(move |exporter| exporter.merge(routes))
    }

    /// As [`TestServer::start`], with the exporter configured by `configure` (its
    /// timeouts, limits, credentials...) before it runs.
    pub fn start_configured(
        configure: impl FnOnce(monitor_runtime::Exporter) -> monitor_runtime::Exporter + Send + 'static,
    ) -> Self {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, shutdown_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("test-exporter".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime for the test exporter");
                runtime.block_on(async move {
                    let exporter = match monitor_runtime::Exporter::bind("127.0.0.1:0").await {
                        Ok(exporter) => configure(exporter),
                        Err(error) => {
                            addr_tx.send(Err(error.to_string())).ok();
                            return;
                        }
                    };
                    addr_tx.send(Ok(exporter.local_addr())).ok();
                    exporter
                        .run(async {
                            shutdown_rx.await.ok();
                        })
                        .await
                        .expect("the test exporter runs");
                });
            })
            .expect("spawn the test exporter thread");
        let addr = addr_rx
            .recv()
            .expect("the exporter thread reports its address")
            .unwrap_or_else(|error| panic!("test exporter: {error}"));
        Self {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been printed; do not panic
            // again while a failing test unwinds.
            thread.join().ok();
        }
    }
}
