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

use crate::core::ShardedWords;

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
    pub(super) fn read(cells: &ShardedWords, offset: usize, bounds: &Bounds) -> Self {
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
pub(super) fn observe(
    cells: &ShardedWords,
    shard: usize,
    offset: usize,
    bounds: &Bounds,
    units: u64,
) {
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
        let cells = ShardedWords::new(bounds.words());
        observe(&cells, 0, 0, &bounds, 7_000_000);
        observe(&cells, 3, 0, &bounds, 1);
        let snapshot = HistogramSnapshot::read(&cells, 0, &bounds);
        assert_eq!(snapshot.buckets, [1, 1, 0]);
        assert_eq!(snapshot.sum, 7_000_001);
        assert_eq!(snapshot.count(), 2);
    }
}
