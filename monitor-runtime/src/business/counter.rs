//! The storage of one business counter series: a word per thread shard, so that
//! threads updating the same label set do not share a cache line.
//!
//! Whole increments (the usual `inc()`, `inc_by(3)`) are added to an integer word of
//! the thread's shard (`core::shard`: a plain load and store in a shard the thread
//! owns, a relaxed `fetch_add` in the shared one): exact, no compare-and-swap. Other amounts (`inc_by(0.5)`)
//! go to a floating-point word of the same shard, with a compare-and-swap loop only
//! that thread runs. The value is the sum of both over the shards.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::{Shard, shard_count};

/// One shard: a cache line pair of its own (adjacent-line prefetching pulls lines in
/// pairs).
#[repr(align(128))]
struct Slot {
    whole: AtomicU64,
    /// `f64` bits.
    fraction: AtomicU64,
}

/// Shards per counter series: [`shard_count`], at most 16, so that a series costs
/// at most 2 KiB whatever the machine (threads beyond share shard 0, atomically).
const MAX_SHARDS: usize = 16;

/// Whole amounts up to this are added as integers (exact in the `f64` the counter is
/// exposed as).
const MAX_WHOLE: f64 = (1_u64 << 53) as f64;

/// A monotonic counter, sharded by thread.
pub(super) struct ShardedCounter {
    shards: Box<[Slot]>,
}

impl ShardedCounter {
    pub(super) fn new() -> Self {
        let shards = shard_count().min(MAX_SHARDS);
        Self {
            shards: (0..shards)
                .map(|_| Slot {
                    whole: AtomicU64::new(0),
                    fraction: AtomicU64::new(0.0_f64.to_bits()),
                })
                .collect(),
        }
    }

    /// The current thread's shard index in this series.
    #[inline(always)]
    fn index(&self) -> usize {
        Shard::current().index_within(self.shards.len())
    }

    #[inline(always)]
    fn shard(&self, index: usize) -> &Slot {
        // SAFETY: `index_within` gives an index below the number of shards.
        unsafe { self.shards.get_unchecked(index) }
    }

    /// Adds one.
    #[inline(always)]
    pub(super) fn inc(&self) {
        self.add_whole(1);
    }

    #[inline(always)]
    fn add_whole(&self, amount: u64) {
        let index = self.index();
        Shard::add(index, &self.shard(index).whole, amount);
    }

    /// Adds a finite, non-negative `amount` (the caller checked).
    #[inline(always)]
    pub(super) fn add(&self, amount: f64) {
        if amount == 1.0 {
            self.inc();
        } else if amount.fract() == 0.0 && amount <= MAX_WHOLE {
            self.add_whole(amount as u64);
        } else {
            self.add_fraction(amount);
        }
    }

    #[cold]
    #[inline(never)]
    fn add_fraction(&self, amount: f64) {
        self.shard(self.index())
            .fraction
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + amount).to_bits())
            })
            .ok();
    }

    /// The value: every shard's whole and fractional parts.
    pub(super) fn get(&self) -> f64 {
        let (whole, fraction) = self.shards.iter().fold((0_u64, 0.0_f64), |(w, f), shard| {
            (
                w.wrapping_add(shard.whole.load(Ordering::Relaxed)),
                f + f64::from_bits(shard.fraction.load(Ordering::Relaxed)),
            )
        });
        whole as f64 + fraction
    }
}

#[cfg(test)]
mod tests {
    use super::ShardedCounter;

    #[test]
    fn whole_and_fractional_amounts_add_up() {
        let counter = ShardedCounter::new();
        counter.inc();
        counter.add(1.0);
        counter.add(3.0);
        counter.add(0.5);
        counter.add(0.25);
        assert_eq!(counter.get(), 5.75);
    }

    #[test]
    fn concurrent_increments_are_all_counted() {
        let counter = ShardedCounter::new();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..100_000 {
                        counter.inc();
                    }
                });
            }
        });
        assert_eq!(counter.get(), 400_000.0);
    }
}
