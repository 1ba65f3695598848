//! The storage of the HTTP metrics layer: integer histograms in per-thread shards.
//!
//! A request touches only the shard of its thread (`core::shard`), a pair of cache
//! lines no other thread writes to, without a locked instruction (until there are
//! more threads than shards; the others share one, atomically): an increment when
//! it starts, and when it ends an increment of a bucket and an addition to a sum for
//! each of its three histograms, plus an increment of the finished count. Sums are
//! integer nanoseconds and bytes, so they add without a compare-and-swap loop and
//! stay exact; cumulative buckets, seconds and the active gauge (started less
//! finished) are derived at scrape time (`families`).

use crate::core::{Block, Bounds, ShardedWords};

/// Words a histogram of `bounds` takes: the sum, then a bucket per bound and +Inf.
pub(super) fn words(bounds: &Bounds) -> usize {
    1 + bounds.buckets()
}

/// Reads the histogram at word `offset` of `cells` at scrape time: its
/// non-cumulative buckets (+Inf last) into `buckets`, replacing what was there; its
/// sum in whole units is returned.
pub(super) fn read(
    cells: &ShardedWords,
    offset: usize,
    bounds: &Bounds,
    buckets: &mut Vec<u64>,
) -> u64 {
    buckets.clear();
    // Buckets before the sum: a request adds to its bucket first.
    buckets.extend((0..bounds.buckets()).map(|bucket| cells.total(offset + 1 + bucket)));
    cells.total(offset)
}

/// Records `units` in the histogram at word `offset` of a shard's `block`, and
/// returns the bucket they went into.
#[inline(always)]
pub(super) fn observe(block: &Block<'_>, offset: usize, bounds: &Bounds, units: u64) -> usize {
    let bucket = bounds.bucket(units);
    block.add(offset + 1 + bucket, 1);
    if units != 0 {
        block.add(offset, units);
    }
    bucket
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_land_in_their_buckets_and_the_sum() {
        let bounds = Bounds::new(&[0.005, 0.01], 1e9);
        let cells = ShardedWords::new(words(&bounds));
        observe(&cells.block(0), 0, &bounds, 7_000_000);
        observe(&cells.block(3), 0, &bounds, 1);
        let mut buckets = vec![9];
        let sum = read(&cells, 0, &bounds, &mut buckets);
        assert_eq!(buckets, [1, 1, 0]);
        assert_eq!(sum, 7_000_001);
    }
}
