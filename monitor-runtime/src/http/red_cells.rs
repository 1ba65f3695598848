//! The storage of the HTTP metrics layer: integer histograms in per-thread shards.
//!
//! A request touches only the shard of its thread, a pair of cache lines no other
//! thread writes to (until there are more threads than shards): an increment when
//! it starts, and when it ends an increment of a bucket and an addition to a sum for
//! each of its three histograms, plus an increment of the finished count. Sums are
//! integer nanoseconds and bytes, so they add without a compare-and-swap loop and
//! stay exact; cumulative buckets, seconds and the active gauge (started less
//! finished) are derived at scrape time.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Words per pair of cache lines (adjacent-line prefetching pulls lines in pairs,
/// so a shard owns both).
const LINE_WORDS: usize = 16;

#[repr(align(128))]
struct Line([AtomicU64; LINE_WORDS]);

impl Line {
    fn zero() -> Self {
        Self([const { AtomicU64::new(0) }; LINE_WORDS])
    }
}

/// Shards per block: the machine's parallelism rounded up to a power of two, at
/// most 64.
fn shard_count() -> usize {
    static SHARDS: OnceLock<usize> = OnceLock::new();
    *SHARDS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 64)
            .next_power_of_two()
    })
}

/// The shard the current thread writes to: threads are numbered in the order they
/// first record a request.
#[inline(always)]
pub(super) fn thread_slot() -> usize {
    thread_local! {
        static SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    #[cold]
    #[inline(never)]
    fn assign(slot: &Cell<usize>) -> usize {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let next = NEXT.fetch_add(1, Ordering::Relaxed) & (usize::MAX >> 1);
        slot.set(next);
        next
    }
    SLOT.try_with(|slot| match slot.get() {
        usize::MAX => assign(slot),
        index => index,
    })
    .unwrap_or(0)
}

/// The clock requests are timed with: the TSC where it is invariant, calibrated
/// against the monotonic clock, else the monotonic clock itself (`quanta` decides).
pub(super) fn clock() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

/// A block of `words` counters in every shard.
pub(super) struct Cells {
    lines: Box<[Line]>,
    /// Lines per shard.
    stride: usize,
    /// `shards - 1`.
    mask: usize,
}

impl Cells {
    pub(super) fn new(words: usize) -> Self {
        let shards = shard_count();
        let stride = words.div_ceil(LINE_WORDS).max(1);
        Self {
            lines: (0..shards * stride).map(|_| Line::zero()).collect(),
            stride,
            mask: shards - 1,
        }
    }

    #[inline(always)]
    fn word(&self, shard: usize, offset: usize) -> &AtomicU64 {
        let line = (shard & self.mask) * self.stride + offset / LINE_WORDS;
        &self.lines[line].0[offset % LINE_WORDS]
    }

    #[inline(always)]
    pub(super) fn add(&self, shard: usize, offset: usize, value: u64) {
        self.word(shard, offset).fetch_add(value, Ordering::Relaxed);
    }

    /// One word summed over every shard.
    pub(super) fn total(&self, offset: usize) -> u64 {
        (0..=self.mask)
            .map(|shard| self.word(shard, offset).load(Ordering::Relaxed))
            .fold(0, u64::wrapping_add)
    }
}

/// The bounds of one histogram as given (for the exposition) and as whole units
/// (nanoseconds or bytes) for the hot path: for a whole number of units, `value ≤
/// bound` is `units ≤ floor(bound × scale)`.
pub(super) struct Bounds {
    pub(super) given: Box<[f64]>,
    units: Box<[u64]>,
}

impl Bounds {
    /// `scale`: units per exposed unit (10⁹ nanoseconds per second, 1 byte per
    /// byte). The bounds are finite, non-negative and increasing (checked by the
    /// caller).
    pub(super) fn new(given: &[f64], scale: f64) -> Self {
        Self {
            given: given.into(),
            // `as` saturates: huge bounds become `u64::MAX`.
            units: given
                .iter()
                .map(|bound| (bound * scale).floor() as u64)
                .collect(),
        }
    }

    /// The bucket (not cumulative) `units` falls in; the last is +Inf. A linear scan
    /// from the smallest bound: most requests fall in the first buckets.
    #[inline(always)]
    pub(super) fn bucket(&self, units: u64) -> usize {
        self.units
            .iter()
            .position(|bound| units <= *bound)
            .unwrap_or(self.units.len())
    }

    /// Words a histogram of these bounds takes: the sum, then a bucket per bound
    /// and +Inf.
    pub(super) fn words(&self) -> usize {
        1 + self.units.len() + 1
    }
}

/// A histogram read at scrape time: non-cumulative buckets (+Inf last) and the sum
/// in whole units.
pub(super) struct HistogramSnapshot {
    pub(super) buckets: Vec<u64>,
    pub(super) sum: u64,
}

impl HistogramSnapshot {
    /// The histogram at word `offset` of `cells`.
    pub(super) fn read(cells: &Cells, offset: usize, bounds: &Bounds) -> Self {
        Self {
            // Buckets before the sum: a request adds to its bucket first.
            buckets: (0..=bounds.units.len())
                .map(|bucket| cells.total(offset + 1 + bucket))
                .collect(),
            sum: cells.total(offset),
        }
    }

    pub(super) fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// Records `units` in the histogram at word `offset` of `cells`, in `shard`.
#[inline(always)]
pub(super) fn observe(cells: &Cells, shard: usize, offset: usize, bounds: &Bounds, units: u64) {
    cells.add(shard, offset + 1 + bounds.bucket(units), 1);
    cells.add(shard, offset, units);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_on_a_bound_fall_in_its_bucket() {
        let bounds = Bounds::new(&[0.005, 0.01], 1e9);
        assert_eq!(bounds.bucket(5_000_000), 0);
        assert_eq!(bounds.bucket(5_000_001), 1);
        assert_eq!(bounds.bucket(10_000_001), 2);
        let cells = Cells::new(bounds.words());
        observe(&cells, 0, 0, &bounds, 7_000_000);
        observe(&cells, 3, 0, &bounds, 1);
        let snapshot = HistogramSnapshot::read(&cells, 0, &bounds);
        assert_eq!(snapshot.buckets, [1, 1, 0]);
        assert_eq!(snapshot.sum, 7_000_001);
        assert_eq!(snapshot.count(), 2);
    }
}
