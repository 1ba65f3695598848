//! Waiting for figures that change a moment after what causes them (a task the
//! runtime releases, a worker that parks, a connection handed back to its pool):
//! poll until the condition holds or a generous deadline passes, then let the test
//! assert on the last reading, so that a failure still says what was seen.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long a condition may take to hold: far beyond what it takes on a loaded
/// machine, so that only a real failure reaches the deadline.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Between two readings.
const POLL: Duration = Duration::from_millis(5);

/// Reads `read` until `holds` accepts the reading or [`PATIENCE`] has passed, and
/// returns the last reading (blocking the thread between readings).
pub fn until<T>(mut read: impl FnMut() -> T, holds: impl Fn(&T) -> bool) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let reading = read();
        if holds(&reading) || Instant::now() >= deadline {
            return reading;
        }
        std::thread::sleep(POLL);
    }
}

/// [`until`] for readings taken on a tokio runtime (sleeping on its timer between
/// them).
pub async fn until_async<T, F>(mut read: impl FnMut() -> F, holds: impl Fn(&T) -> bool) -> T
where
    F: Future<Output = T>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        let reading = read().await;
        if holds(&reading) || Instant::now() >= deadline {
            return reading;
        }
        tokio::time::sleep(POLL).await;
    }
}
