//! The storage of one business counter series: a word per thread shard, so that
//! threads updating the same label set do not share a cache line.
//!
//! Whole increments (the usual `inc()`, `inc_by(3)`) are added to an integer word with
//! one relaxed `fetch_add`: exact, no compare-and-swap. Other amounts (`inc_by(0.5)`)
//! go to a floating-point word of the same shard, with a compare-and-swap loop only
//! that thread runs. The value is the sum of both over the shards.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// One shard: a cache line pair of its own (adjacent-line prefetching pulls lines in
/// pairs).
#[repr(align(128))]
struct Shard {
    whole: AtomicU64,
    /// `f64` bits.
    fraction: AtomicU64,
}

/// Shards per counter series: the machine's parallelism rounded up to a power of two,
/// at most 16, so that a series costs at most 2 KiB whatever the machine.
fn shard_count() -> usize {
    static SHARDS: OnceLock<usize> = OnceLock::new();
    *SHARDS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, 16)
            .next_power_of_two()
    })
}

/// The shard index of the current thread: threads are numbered in the order they
/// first update a business counter.
#[inline(always)]
fn thread_slot() -> usize {
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

/// Whole amounts up to this are added as integers (exact in the `f64` the counter is
/// exposed as).
const MAX_WHOLE: f64 = (1_u64 << 53) as f64;

/// A monotonic counter, sharded by thread.
pub(super) struct ShardedCounter {
    shards: Box<[Shard]>,
    mask: usize,
}

impl ShardedCounter {
    pub(super) fn new() -> Self {
        let shards = shard_count();
        Self {
            shards: (0..shards)
                .map(|_| Shard {
                    whole: AtomicU64::new(0),
                    fraction: AtomicU64::new(0.0_f64.to_bits()),
                })
                .collect(),
            mask: shards - 1,
        }
    }

    #[inline(always)]
    fn shard(&self) -> &Shard {
        // SAFETY: masked to the number of shards, a power of two.
        unsafe { self.shards.get_unchecked(thread_slot() & self.mask) }
    }

    /// Adds one.
    #[inline(always)]
    pub(super) fn inc(&self) {
        self.shard().whole.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds a finite, non-negative `amount` (the caller checked).
    #[inline(always)]
    pub(super) fn add(&self, amount: f64) {
        if amount == 1.0 {
            self.inc();
        } else if amount.fract() == 0.0 && amount <= MAX_WHOLE {
            self.shard()
                .whole
                .fetch_add(amount as u64, Ordering::Relaxed);
        } else {
            self.add_fraction(amount);
        }
    }

    #[cold]
    #[inline(never)]
    fn add_fraction(&self, amount: f64) {
        self.shard()
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
