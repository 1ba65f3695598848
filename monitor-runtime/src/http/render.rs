//! `/metrics` rendering shared by concurrent scrapes of one format (single flight),
//! on the blocking pool so that a large exposition never holds up an async worker.
//!
//! A scrape never gets a rendering that began before it arrived (it would miss what
//! happened just before the scrape): while one runs, the scrapes that arrive wait
//! for the next, which they share and which starts when the running one ends. So at
//! most two renderings of a format exist at once, one running and one waiting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::{BoxFuture, Shared};

use super::own::OwnCounter;
use crate::core::{Format, ignore_poison, snapshot_for_exposition};

/// What one rendering gives every scrape waiting for it.
pub(super) type Rendered = Arc<Result<Bytes, String>>;

type Rendering = Shared<BoxFuture<'static, Rendered>>;

/// The renderings of one format: the one running, and the one waiting for it to end.
#[derive(Default)]
struct Slot {
    running: Option<(u64, Rendering)>,
    waiting: Option<(u64, Rendering)>,
}

/// The renderings of each format, in the order of [`Format::ALL`].
static SLOTS: LazyLock<Mutex<[Slot; 3]>> = LazyLock::new(Default::default);

/// Names each rendering, so that one ending knows whether it is the running one.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

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

/// The exposition in `format`, from a rendering that begins after this call: a new
/// one, or the one already waiting to begin.
///
/// A rendering runs as a task of its own: it finishes, and leaves its slot, even
/// when every scrape waiting for it has gone (a scraper's timeout), so that no
/// rendering, nor its buffer, outlives the scrapes that wait for it.
pub(super) async fn shared_rendering(format: Format) -> Rendered {
    let rendering = {
        let mut slots = ignore_poison(SLOTS.lock());
        let slot = &mut slots[self::slot(format)];
        match (&slot.running, &slot.waiting) {
            (None, _) => {
                let rendering = spawn(format, None);
                slot.running = Some(rendering.clone());
                rendering.1
            }
            (Some(_), Some((_, waiting))) => waiting.clone(),
            (Some((_, running)), None) => {
                let rendering = spawn(format, Some(running.clone()));
                slot.waiting = Some(rendering.clone());
                rendering.1
            }
        }
    };
    rendering.await
}

/// A rendering of `format` as a task, which begins once `after` has ended.
fn spawn(format: Format, after: Option<Rendering>) -> (u64, Rendering) {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let task = tokio::spawn(async move {
        if let Some(after) = after {
            after.await;
        }
        render_once(format, id).await
    });
    let rendering = async move {
        task.await
            .unwrap_or_else(|error| Arc::new(Err(error.to_string())))
    }
    .boxed()
    .shared();
    (id, rendering)
}

async fn render_once(format: Format, id: u64) -> Rendered {
    let result = tokio::task::spawn_blocking(move || {
        renders().inc();
        format.render(&snapshot_for_exposition())
    })
    .await;
    // Done: the waiting rendering (which begins now) becomes the running one, and a
    // scrape arriving from now on waits for the one after it.
    {
        let mut slots = ignore_poison(SLOTS.lock());
        let slot = &mut slots[slot(format)];
        if slot
            .running
            .as_ref()
            .is_some_and(|(running, _)| *running == id)
        {
            slot.running = slot.waiting.take();
        }
    }
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
        crate::core::registry().register(slow()).unwrap();
        // The scraper gives up long before the rendering ends.
        let gave_up = tokio::time::timeout(
            Duration::from_millis(20),
            shared_rendering(Format::OpenMetrics),
        )
        .await;
        assert!(gave_up.is_err(), "the rendering takes 300 ms");
        let in_progress = || {
            let slots = ignore_poison(SLOTS.lock());
            let slot = &slots[slot(Format::OpenMetrics)];
            slot.running.is_some() || slot.waiting.is_some()
        };
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
        crate::core::registry().unregister(slow()).unwrap();
    }

    /// A collector of the application's that reads [`VALUE`] as it begins, then
    /// takes a while.
    struct SlowGauge(prometheus::IntGauge);

    static VALUE: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);

    impl Collector for SlowGauge {
        fn desc(&self) -> Vec<&Desc> {
            self.0.desc()
        }

        fn collect(&self) -> Vec<MetricFamily> {
            self.0.set(VALUE.load(std::sync::atomic::Ordering::SeqCst));
            std::thread::sleep(Duration::from_millis(300));
            self.0.collect()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_scrape_never_gets_a_rendering_begun_before_it_arrived() {
        let gauge =
            || SlowGauge(prometheus::IntGauge::new("render_test_fresh_value", "A value.").unwrap());
        crate::core::registry().register(Box::new(gauge())).unwrap();
        let value_in = |rendered: &Rendered| -> i64 {
            let bytes = rendered.as_ref().as_ref().unwrap();
            let text = std::str::from_utf8(bytes).unwrap();
            text.lines()
                .find_map(|line| line.strip_prefix("render_test_fresh_value "))
                .unwrap()
                .parse()
                .unwrap()
        };
        let first = tokio::spawn(shared_rendering(Format::Text));
        // Once the first rendering runs, the value changes, then a second scrape.
        let deadline = Instant::now() + Duration::from_secs(30);
        while ignore_poison(SLOTS.lock())[slot(Format::Text)]
            .running
            .is_none()
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        VALUE.store(2, std::sync::atomic::Ordering::SeqCst);
        let second = shared_rendering(Format::Text).await;
        assert_eq!(value_in(&second), 2, "the second scrape sees the change");
        assert!(value_in(&first.await.unwrap()) >= 1);
        crate::core::registry()
            .unregister(Box::new(gauge()))
            .unwrap();
    }
}
