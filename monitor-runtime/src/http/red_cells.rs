//! The storage of the HTTP metrics layer: integer histograms in per-thread shards.
//!
//! A request touches only the shard of its thread (`core::shard`), a pair of cache
//! lines no other thread writes to, without a locked instruction (until there are
//! more threads than shards; the others share one, atomically): an increment when
//! it starts, and when it ends an increment of a bucket and an addition to a sum for
//! each of its three histograms, plus an increment of the finished count. Sums are
//! integer nanoseconds and bytes, so they add without a compare-and-swap loop and
//! stay exact; cumulative buckets, seconds and the active gauge (started less
//! finished) are derived at scrape time.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::{Shard, shard_count};

/// Words per pair of cache lines (adjacent-line prefetching pulls lines in pairs,
/// so a shard owns both).
const LINE_WORDS: usize = 16;

#[repr(align(128))]
struct Line(
    #[allow(
        dead_code,
        reason = "read through a pointer to its shard's words (`Cells::word`)"
    )]
    [AtomicU64; LINE_WORDS],
);

impl Line {
    fn zero() -> Self {
        Self([const { AtomicU64::new(0) }; LINE_WORDS])
    }
}

/// A block of `words` counters in every shard.
pub(super) struct Cells {
    lines: Box<[Line]>,
    /// Lines per shard.
    stride: usize,
    /// `shards - 1`.
    mask: usize,
    /// Words of a shard: `stride` lines' worth.
    words: usize,
}

impl Cells {
    pub(super) fn new(words: usize) -> Self {
        let shards = shard_count();
        let stride = words.div_ceil(LINE_WORDS).max(1);
        Self {
            lines: (0..shards * stride).map(|_| Line::zero()).collect(),
            stride,
            mask: shards - 1,
            words: stride * LINE_WORDS,
        }
    }

    /// Word `offset` of `shard`: the lines of a shard are contiguous, so its words
    /// are too.
    #[inline(always)]
    fn word(&self, shard: usize, offset: usize) -> &AtomicU64 {
        assert!(offset < self.words, "word {offset} past a shard");
        let first = (shard & self.mask) * self.stride;
        // SAFETY: `shard & mask` is below the shard count, so the shard's `stride`
        // lines from `first` are in `lines`; `offset` is below their words, and a
        // `Line` is its 16 words with no padding (128 bytes, aligned to 128).
        unsafe {
            &*self
                .lines
                .as_ptr()
                .add(first)
                .cast::<AtomicU64>()
                .add(offset)
        }
    }

    /// Adds `value` to a word of `shard` ([`Shard::index`] of the current thread).
    #[inline(always)]
    pub(super) fn add(&self, shard: usize, offset: usize, value: u64) {
        Shard::add(shard, self.word(shard, offset), value);
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
    if units != 0 {
        cells.add(shard, offset, units);
    }
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
