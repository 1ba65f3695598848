//! `/metrics` rendering shared by concurrent scrapes of one format (single flight),
//! on the blocking pool so that a large exposition never holds up an async worker.

use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};

use super::own::OwnCounter;
use crate::core::{Format, ignore_poison, snapshot_for_exposition};

/// What one rendering gives every scrape waiting for it.
pub(super) type Rendered = Arc<Result<Bytes, String>>;

type InProgress = Option<Shared<BoxFuture<'static, Rendered>>>;

/// The rendering in progress of each format (in the order of [`Format::ALL`]), if
/// any: a scrape that arrives while one runs waits for it instead of starting its
/// own.
static IN_PROGRESS: LazyLock<Mutex<[InProgress; 3]>> = LazyLock::new(Default::default);

fn slot(format: Format) -> usize {
    Format::ALL
        .iter()
        .position(|known| *known == format)
        .unwrap_or(0)
}

/// `monitor_exposition_renders_total`: how many times `/metrics` was rendered
/// (fewer than scrapes when scrapes arrive together).
pub(super) fn renders() -> &'static OwnCounter {
    static RENDERS: OwnCounter = OwnCounter::new(
        "monitor_exposition_renders_total",
        "Renderings of the /metrics exposition; concurrent scrapes share one.",
    );
    RENDERS.exposed()
}

/// The exposition in `format`: the rendering in progress, or a new one.
///
/// A rendering runs as a task of its own: it finishes, and leaves its slot, even
/// when every scrape waiting for it has gone (a scraper's timeout), so that no
/// rendering, nor its buffer, outlives the scrapes that wait for it, and the next
/// scrape never gets a stale one.
pub(super) async fn shared_rendering(format: Format) -> Rendered {
    let rendering = {
        let mut slots = ignore_poison(IN_PROGRESS.lock());
        let slot = &mut slots[self::slot(format)];
        match slot.as_ref() {
            Some(rendering) => rendering.clone(),
            None => {
                let task = tokio::spawn(render_once(format));
                let rendering = async move {
                    task.await
                        .unwrap_or_else(|error| Arc::new(Err(error.to_string())))
                }
                .boxed()
                .shared();
                *slot = Some(rendering.clone());
                rendering
            }
        }
    };
    rendering.await
}

async fn render_once(format: Format) -> Rendered {
    let result = tokio::task::spawn_blocking(move || {
        renders().inc();
        format.render(&snapshot_for_exposition())
    })
    .await;
    // The next scrape renders afresh. Only this rendering can be in the slot: a new
    // one is stored only when the slot is empty (and this task takes the lock only
    // once its own is stored).
    ignore_poison(IN_PROGRESS.lock())[slot(format)].take();
    Arc::new(match result {
        Ok(bytes) => Ok(Bytes::from(bytes)),
        Err(error) => Err(error.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use prometheus::core::{Collector, Desc};
    use prometheus::proto::MetricFamily;

    use super::*;

    /// A collector of the application's that takes a while.
    struct Slow(Vec<Desc>);

    impl Collector for Slow {
        fn desc(&self) -> Vec<&Desc> {
            self.0.iter().collect()
        }

        fn collect(&self) -> Vec<MetricFamily> {
            std::thread::sleep(Duration::from_millis(300));
            Vec::new()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rendering_every_scrape_gave_up_on_leaves_nothing_behind() {
        let slow = || {
            let desc = Desc::new(
                "render_test_slow".into(),
                "A slow collector.".into(),
                Vec::new(),
                Default::default(),
            )
            .unwrap();
            Box::new(Slow(vec![desc]))
        };
        crate::registry().register(slow()).unwrap();
        // The scraper gives up long before the rendering ends.
        let gave_up = tokio::time::timeout(
            Duration::from_millis(20),
            shared_rendering(Format::OpenMetrics),
        )
        .await;
        assert!(gave_up.is_err(), "the rendering takes 300 ms");
        let in_progress = || ignore_poison(IN_PROGRESS.lock())[slot(Format::OpenMetrics)].is_some();
        assert!(in_progress(), "still rendering");
        // It ends anyway, and its result is not kept for the next scrape.
        let deadline = Instant::now() + Duration::from_secs(30);
        while in_progress() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            !in_progress(),
            "the abandoned rendering still holds its slot"
        );
        crate::registry().unregister(slow()).unwrap();
    }
}
