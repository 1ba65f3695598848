//! The delivery both snapshot writers share (remote-write and OTLP): snapshots
//! wait in a bounded buffer, oldest first, and are sent one request each in order;
//! a send that got no answer or a transient refusal is retried after a doubling
//! backoff while new snapshots keep being taken; at shutdown, a last snapshot and a
//! flush under a deadline. What differs between the protocols (the body of a
//! snapshot, the headers, which refusals are transient, the metrics) is a
//! [`Protocol`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::Method;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::client::HttpClient;
use super::metrics::DeliveryMetrics;
use crate::core::{Background, Stop, ignore_poison};

/// What a writer is configured with besides its protocol.
#[derive(Clone, Debug)]
pub(super) struct Settings {
    pub(super) url: String,
    pub(super) interval: Duration,
    /// The bound of the buffer, in points (remote-write's samples, OTLP's data
    /// points).
    pub(super) max_buffered: usize,
    pub(super) timeout: Duration,
    pub(super) min_backoff: Duration,
    pub(super) max_backoff: Duration,
    pub(super) flush_deadline: Duration,
}

impl Settings {
    /// The defaults both writers document: a snapshot per `interval`, 100 000
    /// points buffered, 10 s per request, retries from 100 ms to 10 s, 10 s of
    /// flush at shutdown.
    pub(super) fn new(url: &str, interval: Duration, max_buffered: usize) -> Self {
        Settings {
            url: url.to_owned(),
            interval,
            max_buffered,
            timeout: Duration::from_secs(10),
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            flush_deadline: Duration::from_secs(10),
        }
    }

    /// Sets the interval, at least 10 ms.
    pub(super) fn set_interval(&mut self, interval: Duration) {
        self.interval = interval.max(Duration::from_millis(10));
    }

    /// Sets the backoff: a first wait of at least 1 ms, a longest one no shorter.
    pub(super) fn set_backoff(&mut self, min: Duration, max: Duration) {
        self.min_backoff = min.max(Duration::from_millis(1));
        self.max_backoff = max.max(self.min_backoff);
    }
}

/// What one protocol adds to the delivery.
pub(super) trait Protocol: Send + Sync + 'static {
    /// The task's name, and the protocol's in log lines (`remote-write`, `OTLP`).
    const NAME: &'static str;
    /// What the buffer counts, in the error of an unfinished flush (`remote-write
    /// samples`).
    const POINTS: &'static str;

    /// Takes a snapshot of the model: the points it holds and the request body.
    fn snapshot(&self) -> (usize, Vec<u8>);

    /// The headers of every request.
    fn headers(&self) -> Vec<(&str, &str)>;

    /// Whether a refusal with HTTP `status` is transient (retried) rather than
    /// final (the snapshot dropped, counted as rejected).
    fn retryable(status: u16) -> bool;

    /// The protocol's own figures.
    fn metrics() -> &'static DeliveryMetrics;
}

/// Starts delivering `protocol`'s snapshots with `settings` on the current tokio
/// runtime; the first snapshot is taken now.
///
/// # Panics
///
/// Outside a tokio runtime.
pub(super) fn start<P: Protocol>(protocol: P, settings: Settings) -> Background {
    let shared = Arc::new(Shared {
        buffer: Mutex::new(Buffer::default()),
        wake: Notify::new(),
        settings,
        protocol,
    });
    // The first snapshot is taken here, not when the task is first polled, so
    // that it shows the registry as it was when the writer started.
    shared.take_snapshot();
    let now = {
        let shared = Arc::clone(&shared);
        Box::new(move || {
            shared.take_snapshot();
            shared.wake.notify_one();
        })
    };
    Background::start(P::NAME, Some(now), move |signals| async move {
        match run(shared, signals.stop).await {
            0 => Ok(()),
            unsent => Err(format!("{unsent} {} left unsent", P::POINTS).into()),
        }
    })
}

struct Shared<P> {
    buffer: Mutex<Buffer>,
    wake: Notify,
    settings: Settings,
    protocol: P,
}

#[derive(Default)]
struct Buffer {
    snapshots: VecDeque<Snapshot>,
    points: usize,
    next_id: u64,
}

struct Snapshot {
    id: u64,
    points: usize,
    body: Arc<Vec<u8>>,
}

enum Sent {
    Accepted,
    Retry(String),
    Rejected(String),
}

impl<P: Protocol> Shared<P> {
    fn take_snapshot(&self) {
        let (points, body) = self.protocol.snapshot();
        self.enqueue(points, body);
    }

    fn enqueue(&self, points: usize, body: Vec<u8>) {
        let metrics = P::metrics();
        let bound = self.settings.max_buffered;
        let mut buffer = ignore_poison(self.buffer.lock());
        let id = buffer.next_id;
        buffer.next_id += 1;
        buffer.points += points;
        buffer.snapshots.push_back(Snapshot {
            id,
            points,
            body: Arc::new(body),
        });
        let mut dropped = 0;
        while buffer.points > bound {
            let Some(oldest) = buffer.snapshots.pop_front() else {
                break;
            };
            buffer.points -= oldest.points;
            dropped += oldest.points;
        }
        metrics.buffered.set(buffer.points as i64);
        drop(buffer);
        if dropped > 0 {
            metrics.dropped.inc_by(dropped as u64);
            tracing::warn!(
                dropped,
                bound,
                "monitor: {} buffer full, oldest points dropped",
                P::NAME
            );
        }
    }

    fn oldest(&self) -> Option<(u64, usize, Arc<Vec<u8>>)> {
        let buffer = ignore_poison(self.buffer.lock());
        buffer
            .snapshots
            .front()
            .map(|snapshot| (snapshot.id, snapshot.points, Arc::clone(&snapshot.body)))
    }

    /// Removes snapshot `id` if it is still the oldest (the bound may have dropped
    /// it while it was being sent).
    fn remove(&self, id: u64) {
        let mut buffer = ignore_poison(self.buffer.lock());
        if buffer.snapshots.front().is_some_and(|front| front.id == id)
            && let Some(sent) = buffer.snapshots.pop_front()
        {
            buffer.points -= sent.points;
        }
        P::metrics().buffered.set(buffer.points as i64);
    }

    async fn send(&self, client: &HttpClient, body: &[u8]) -> Sent {
        let headers = self.protocol.headers();
        match client
            .send(Method::POST, &self.settings.url, &headers, body.to_vec())
            .await
        {
            Err(error) => Sent::Retry(error),
            Ok(reply) if (200..300).contains(&reply.status) => Sent::Accepted,
            Ok(reply) if P::retryable(reply.status) => {
                Sent::Retry(format!("HTTP {}: {}", reply.status, reply.body.trim()))
            }
            Ok(reply) => Sent::Rejected(format!("HTTP {}: {}", reply.status, reply.body.trim())),
        }
    }

    /// Sends the oldest snapshots until the buffer is empty or a send must be
    /// retried; returns the error of that send.
    async fn send_buffered(&self, client: &HttpClient) -> Result<(), String> {
        let metrics = P::metrics();
        while let Some((id, points, body)) = self.oldest() {
            match self.send(client, &body).await {
                Sent::Accepted => {
                    metrics.sent.inc_by(points as u64);
                    self.remove(id);
                }
                Sent::Rejected(error) => {
                    metrics.rejected.inc_by(points as u64);
                    tracing::error!(
                        %error,
                        points,
                        "monitor: the {} receiver refused a snapshot",
                        P::NAME
                    );
                    self.remove(id);
                }
                Sent::Retry(error) => {
                    metrics.retries.inc();
                    return Err(error);
                }
            }
        }
        Ok(())
    }
}

/// Sends on every snapshot, retries with backoff, and at the stop request takes a
/// last snapshot and flushes until the deadline; returns the points left unsent.
async fn run<P: Protocol>(shared: Arc<Shared<P>>, mut stop: Stop) -> usize {
    let settings = &shared.settings;
    let client = HttpClient::new(settings.timeout);
    let mut ticker =
        tokio::time::interval_at(Instant::now() + settings.interval, settings.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut backoff = settings.min_backoff;
    let mut retry_at: Option<Instant> = None;
    loop {
        if retry_at.is_none_or(|at| Instant::now() >= at) {
            match shared.send_buffered(&client).await {
                Ok(()) => {
                    backoff = settings.min_backoff;
                    retry_at = None;
                }
                Err(error) => {
                    tracing::warn!(%error, retry_in = ?backoff, "monitor: {} send failed", P::NAME);
                    retry_at = Some(Instant::now() + backoff);
                    backoff = (backoff * 2).min(settings.max_backoff);
                }
            }
        }
        let retry = async {
            match retry_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = ticker.tick() => shared.take_snapshot(),
            _ = shared.wake.notified() => {}
            _ = retry => {}
            () = stop.requested() => break,
        }
    }
    shared.take_snapshot();
    let deadline = Instant::now() + settings.flush_deadline;
    let mut backoff = settings.min_backoff;
    loop {
        let flushed = tokio::time::timeout_at(deadline, shared.send_buffered(&client)).await;
        match flushed {
            Ok(Ok(())) => return 0,
            Ok(Err(error)) if Instant::now() + backoff < deadline => {
                tracing::warn!(%error, "monitor: {} flush at shutdown failed, retrying", P::NAME);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(settings.max_backoff);
            }
            _ => break,
        }
    }
    let unsent = ignore_poison(shared.buffer.lock()).points;
    tracing::error!(unsent, "monitor: {} left unsent at shutdown", P::POINTS);
    unsent
}
