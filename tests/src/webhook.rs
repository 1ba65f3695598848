//! A webhook receiver inside the test: an HTTP server on 127.0.0.1 and a free port
//! that keeps every JSON body posted to it, by path, stopped on drop.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Json, State};
use axum::http::Uri;
use axum::routing::post;
use serde_json::Value;

/// One message received: the path it was posted to and its body.
#[derive(Debug, Clone)]
pub struct Received {
    /// `/paging`, `/chat`, ...
    pub path: String,
    /// The JSON body.
    pub body: Value,
}

/// The receiver; its messages are in [`WebhookReceiver::received`].
pub struct WebhookReceiver {
    addr: std::net::SocketAddr,
    messages: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl WebhookReceiver {
    /// Binds `127.0.0.1:0` and starts receiving on the current runtime.
    ///
    /// # Panics
    ///
    /// If it cannot bind.
    pub async fn start() -> Self {
        let messages: Arc<Mutex<Vec<Received>>> = Arc::default();
        let app = Router::new()
            .route("/{*path}", post(receive))
            .with_state(messages.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let addr = listener.local_addr().expect("its address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Self {
            addr,
            messages,
            task,
        }
    }

    /// `http://ADDR` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every message so far.
    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().expect("not poisoned").clone()
    }

    /// Waits until a message takes `accept`, and returns it; gives up after
    /// `patience` with every message received in the panic message.
    pub async fn wait_for(
        &self,
        what: &str,
        patience: Duration,
        accept: impl Fn(&Received) -> bool,
    ) -> Received {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(found) = self.received().into_iter().find(|message| accept(message)) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "the webhook never received {what}; it received:\n{:#?}",
                self.received()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(messages): State<Arc<Mutex<Vec<Received>>>>,
    uri: Uri,
    Json(body): Json<Value>,
) {
    messages.lock().expect("not poisoned").push(Received {
        path: uri.path().to_owned(),
        body,
    });
}
