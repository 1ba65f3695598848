//! The one handle of the work the crate runs in the background.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// What a background task's last work failed with.
pub(crate) type StopError = Box<dyn Error + Send + Sync>;

/// Work the crate runs in the background on the tokio runtime that started it, every
/// interval: the pushes of [`push::Pushgateway::start`](crate::push::Pushgateway::start),
/// the writes of [`push::RemoteWrite::start`](crate::push::RemoteWrite::start), the
/// evaluations of [`alerts::EmbeddedAlerts::start`](crate::alerts::EmbeddedAlerts::start).
///
/// It runs until [`stop`](Self::stop), or until the runtime shuts down. Dropping the
/// handle leaves it running.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use std::time::Duration;
/// use monitor_runtime::alerts::EmbeddedAlerts;
///
/// let evaluator = EmbeddedAlerts::new().interval(Duration::from_secs(5)).start();
/// evaluator.now(); // evaluate now rather than at the next interval
/// evaluator.stop().await.unwrap();
/// # }
/// ```
pub struct Background {
    name: &'static str,
    now: Box<dyn Fn() + Send + Sync>,
    stop: oneshot::Sender<()>,
    join: JoinHandle<Result<(), StopError>>,
}

/// What a background task's loop waits on besides its interval: a request to work now,
/// and the request to stop.
pub(crate) struct Signals {
    /// Woken by [`Background::now`] when the task does its work itself.
    #[cfg_attr(
        not(any(feature = "http", feature = "push")),
        allow(dead_code, reason = "remote write takes its snapshot in `now` itself")
    )]
    pub(crate) now: Arc<Notify>,
    /// The request to stop.
    pub(crate) stop: Stop,
}

/// The request to stop a background task.
pub(crate) struct Stop(Option<oneshot::Receiver<()>>);

impl Stop {
    /// Completes when [`Background::stop`] is called; never when the handle is
    /// dropped instead, so that the task runs on (until the runtime shuts down).
    pub(crate) async fn requested(&mut self) {
        if let Some(receiver) = self.0.as_mut() {
            if receiver.await.is_ok() {
                return;
            }
            self.0 = None;
        }
        std::future::pending::<()>().await;
    }
}

impl Background {
    /// Starts `task` on the current tokio runtime. `task` gets its signals; its result
    /// is what [`stop`](Self::stop) returns. `now` is what [`now`](Self::now) does;
    /// `None` wakes the task's `now` signal.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub(crate) fn start<F>(
        name: &'static str,
        now: Option<Box<dyn Fn() + Send + Sync>>,
        task: impl FnOnce(Signals) -> F,
    ) -> Self
    where
        F: Future<Output = Result<(), StopError>> + Send + 'static,
    {
        let wake = Arc::new(Notify::new());
        let (stop, stopped) = oneshot::channel();
        let join = tokio::spawn(task(Signals {
            now: Arc::clone(&wake),
            stop: Stop(Some(stopped)),
        }));
        let now = now.unwrap_or_else(|| Box::new(move || wake.notify_one()));
        Self {
            name,
            now,
            stop,
            join,
        }
    }

    /// Does the task's work once now, between two intervals (at the end of a batch
    /// job, say): a push, a snapshot for remote write, an evaluation of the alerts.
    pub fn now(&self) {
        (self.now)();
    }

    /// Stops the interval, does the work a last time where the task has one (the last
    /// push and the delete of a Pushgateway group, the flush of remote write's buffer)
    /// and waits for it.
    ///
    /// # Errors
    ///
    /// What that last work failed with (a [`push::PushError`](crate::push::PushError)
    /// of the last push, the samples remote write could not send), or that the task
    /// ended abnormally.
    pub async fn stop(self) -> Result<(), Box<dyn Error + Send + Sync>> {
        let _ = self.stop.send(());
        match self.join.await {
            Ok(result) => result,
            Err(error) => Err(format!("the {} task ended abnormally: {error}", self.name).into()),
        }
    }
}

impl fmt::Debug for Background {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Background")
            .field("task", &self.name)
            .field("finished", &self.join.is_finished())
            .finish_non_exhaustive()
    }
}
