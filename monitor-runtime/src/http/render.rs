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
pub(super) async fn shared_rendering(format: Format) -> Rendered {
    let rendering = {
        let mut slots = ignore_poison(IN_PROGRESS.lock());
        let slot = &mut slots[self::slot(format)];
        match slot.as_ref() {
            Some(rendering) => rendering.clone(),
            None => {
                let rendering = render_once(format).boxed().shared();
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
    // one is stored only when the slot is empty.
    ignore_poison(IN_PROGRESS.lock())[slot(format)].take();
    Arc::new(match result {
        Ok(bytes) => Ok(Bytes::from(bytes)),
        Err(error) => Err(error.to_string()),
    })
}
