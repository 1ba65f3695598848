//! Pushing the registry to a Prometheus Pushgateway.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE;
use hyper::Method;

use super::client::HttpClient;
use super::metrics::pushgateway_pushes;
use crate::core::{Background, Format, Signals, identity, snapshot_for_exposition};

/// Pushes the whole registry to a Prometheus Pushgateway, under a grouping key of
/// `job` (the service of [`identity::current`]), `instance` (its instance) and any
/// labels added with [`Pushgateway::grouping`].
///
/// For a process Prometheus cannot scrape (a batch job, a host behind a firewall):
/// [`Pushgateway::start`] pushes on an interval and once more at
/// [`Background::stop`], which then deletes the group when
/// [`Pushgateway::delete_on_exit`] asks for it, so that a service that exited
/// cleanly leaves no stale series behind. A batch job usually keeps its last push
/// (the default) so that its results stay visible.
///
/// Every push replaces the group (`PUT`) with a [`snapshot`](crate::snapshot) of
/// every family rendered in the text format, what `/metrics` serves. Pushes are counted in
/// `monitor_pushgateway_pushes_total{result="ok"|"error"}`; a failed push is logged
/// and retried at the next interval, never fatal.
///
/// ```no_run
/// use std::time::Duration;
/// use monitor_runtime::push::Pushgateway;
///
/// # async fn job() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
/// let gateway = Pushgateway::new("http://pushgateway:9091")
///     .grouping("shard", "3")
///     .interval(Duration::from_secs(10))
///     .delete_on_exit(true);
/// assert!(gateway.group_url().starts_with("http://pushgateway:9091/metrics/job/"));
/// let pushes = gateway.start();
/// // ... the work ...
/// pushes.stop().await?; // a last push, then the group is deleted
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pushgateway {
    url: String,
    job: String,
    grouping: Vec<(String, String)>,
    interval: Duration,
    delete_on_exit: bool,
    client: HttpClient,
}

/// Why a push or a delete failed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use monitor_runtime::push::Pushgateway;
///
/// // Nothing listens on port 1: the push fails, and says where.
/// let error = Pushgateway::new("http://127.0.0.1:1").push().await.unwrap_err();
/// assert!(error.to_string().contains("127.0.0.1:1"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushError {
    message: String,
}

impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PushError {}

/// The default interval between pushes.
pub(crate) const DEFAULT_PUSH_INTERVAL: Duration = Duration::from_secs(15);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

impl Pushgateway {
    /// A client of the Pushgateway at `url` (`http://host:9091`), grouping key
    /// `job` and `instance` from [`identity::current`].
    pub fn new(url: &str) -> Self {
        let identity = identity::current();
        Pushgateway {
            url: url.trim_end_matches('/').to_owned(),
            job: identity.service().to_owned(),
            grouping: vec![("instance".to_owned(), identity.instance_id().to_owned())],
            interval: DEFAULT_PUSH_INTERVAL,
            delete_on_exit: false,
            client: HttpClient::new(DEFAULT_TIMEOUT),
        }
    }

    /// Replaces the `job` of the grouping key.
    pub fn job(mut self, job: &str) -> Self {
        self.job = job.to_owned();
        self
    }

    /// Adds (or replaces) label `name` of the grouping key; `instance` replaces the
    /// identity's instance.
    pub fn grouping(mut self, name: &str, value: &str) -> Self {
        self.grouping.retain(|(existing, _)| existing != name);
        self.grouping.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The interval of [`Pushgateway::start`] (default 15 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(10));
        self
    }

    /// How long one request may take (default 10 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.client = HttpClient::new(timeout);
        self
    }

    /// Whether [`Background::stop`] deletes the group after its last push
    /// (default `false`).
    pub fn delete_on_exit(mut self, delete: bool) -> Self {
        self.delete_on_exit = delete;
        self
    }

    /// The URL of the group: `…/metrics/job/<job>/instance/<instance>/…`, each
    /// value in the gateway's base64 form (`label@base64/…`) when it holds a
    /// character other than letters, digits, `_`, `-` and `.`, or is empty.
    pub fn group_url(&self) -> String {
        let mut url = format!("{}/metrics/{}", self.url, segment("job", &self.job));
        for (name, value) in &self.grouping {
            url.push('/');
            url.push_str(&segment(name, value));
        }
        url
    }

    /// Pushes the registry now, replacing the group.
    ///
    /// # Errors
    ///
    /// When the gateway cannot be reached or refuses the push (its answer is in
    /// the message); counted as `result="error"`.
    pub async fn push(&self) -> Result<(), PushError> {
        let outcome = self.push_once().await;
        let result = if outcome.is_ok() { "ok" } else { "error" };
        pushgateway_pushes().with_label_values(&[result]).inc();
        outcome
    }

    async fn push_once(&self) -> Result<(), PushError> {
        let format = Format::Text;
        let body = format.render(&snapshot_for_exposition());
        self.request(
            Method::PUT,
            &[("Content-Type", format.content_type())],
            body,
        )
        .await
    }

    /// Deletes the group from the gateway.
    ///
    /// # Errors
    ///
    /// When the gateway cannot be reached or refuses.
    pub async fn delete(&self) -> Result<(), PushError> {
        self.request(Method::DELETE, &[], Vec::new()).await
    }

    async fn request(
        &self,
        method: Method,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<(), PushError> {
        let url = self.group_url();
        let reply = self
            .client
            .send(method, &url, headers, body)
            .await
            .map_err(|message| PushError { message })?;
        if (200..300).contains(&reply.status) {
            Ok(())
        } else {
            Err(PushError {
                message: format!("{url}: HTTP {}: {}", reply.status, reply.body.trim()),
            })
        }
    }

    /// Pushes now and then every interval on the current tokio runtime, until
    /// [`Background::stop`], which pushes a last time and, with
    /// [`delete_on_exit`](Self::delete_on_exit), deletes the group;
    /// [`Background::now`] pushes between two intervals. A failed push is logged
    /// and counted (`monitor_push_failures_total`); the next one is tried at the next
    /// interval.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    /// use monitor_runtime::push::Pushgateway;
    ///
    /// let pushes = Pushgateway::new("http://127.0.0.1:9091").job("nightly-import").start();
    /// // ... the batch job's work ...
    /// pushes.stop().await // the last push, then the group's delete
    /// # }
    /// ```
    pub fn start(self) -> Background {
        Background::start("pushgateway", None, move |signals| async move {
            let Signals { now, mut stop } = signals;
            let mut ticker = tokio::time::interval(self.interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    () = now.notified() => {}
                    () = stop.requested() => break,
                }
                if let Err(error) = self.push().await {
                    tracing::warn!(%error, "monitor: push to the Pushgateway failed");
                }
            }
            let last = self.push().await;
            let last = if self.delete_on_exit {
                last.and(self.delete().await)
            } else {
                last
            };
            last.map_err(Into::into)
        })
    }
}

fn segment(name: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.'));
    if plain {
        format!("{name}/{value}")
    } else if value.is_empty() {
        // The gateway's spelling of an empty value.
        format!("{name}@base64/=")
    } else {
        format!("{name}@base64/{}", URL_SAFE.encode(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_the_plain_set_are_base64_encoded() {
        assert_eq!(segment("job", "shop"), "job/shop");
        assert_eq!(segment("path", "/var/tmp"), "path@base64/L3Zhci90bXA=");
        assert_eq!(segment("instance", ""), "instance@base64/=");
    }
}
