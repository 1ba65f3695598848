//! The storage of one business series, on the core's sharded words (`core::shard`),
//! like the figures of monitored functions and of the HTTP layer.
//!
//! - A **counter** keeps two words per thread shard. Whole increments (the usual
//!   `inc()`, `inc_by(3)`) are added to an integer word: exact, without a
//!   compare-and-swap. Other amounts (`inc_by(0.5)`) go to an `f64` word of the same
//!   shard. In a shard the thread owns, either is a plain load and store; in the
//!   shared one, an atomic addition or a compare-and-swap loop. The value is the sum
//!   of both over the shards.
//! - A **histogram** keeps per shard the sum of its observations (an `f64` word, added
//!   the same way) and a count per bucket, +Inf last; its count of observations is
//!   the sum of its buckets.
//! - A **gauge** is one atomic word, the bits of its `f64`, shared by every thread:
//!   `set` replaces the value, which words summed over shards cannot express, so a
//!   gauge is not sharded; `add` is a compare-and-swap loop on that word.
//!
//! A labelled metric has many series (up to its `max_label_sets`): each keeps at most
//! [`MAX_SHARDS`] shards, so that a counter series costs at most 2 KiB whatever the
//! machine (the threads beyond share the shared shard, atomically).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::core::model::NativeBuckets;
use crate::core::native::{NativeStore, VALUES_LOWEST_EXPONENT, VALUES_OCTAVES};
use crate::core::{Bounds, ShardedWords};

/// Shards per series at most.
const MAX_SHARDS: usize = 16;

/// Whole amounts up to this are added as integers (exact in the `f64` the counter is
/// exposed as).
const MAX_WHOLE: f64 = (1_u64 << 53) as f64;

/// Counter words: whole increments, and the other amounts (`f64` bits).
const WHOLE: usize = 0;
const FRACTION: usize = 1;

/// Histogram words: the sum of the observations (`f64` bits), then the buckets.
const SUM: usize = 0;
const BUCKETS: usize = 1;

/// A monotonic counter, sharded by thread.
pub(super) struct CounterCells {
    words: ShardedWords,
}

impl CounterCells {
    pub(super) fn new() -> Self {
        Self {
            words: ShardedWords::with_max_shards(2, MAX_SHARDS),
        }
    }

    /// Adds one.
    #[inline(always)]
    pub(super) fn inc(&self) {
        self.words.current_block().add(WHOLE, 1);
    }

    /// Adds a finite, non-negative `amount` (the caller checked).
    #[inline(always)]
    pub(super) fn add(&self, amount: f64) {
        if amount == 1.0 {
            self.inc();
        } else if amount.fract() == 0.0 && amount <= MAX_WHOLE {
            self.words.current_block().add(WHOLE, amount as u64);
        } else {
            self.add_fraction(amount);
        }
    }

    #[cold]
    #[inline(never)]
    fn add_fraction(&self, amount: f64) {
        self.words.current_block().add_f64(FRACTION, amount);
    }

    /// The value: every shard's whole and fractional parts.
    pub(super) fn get(&self) -> f64 {
        self.words.total(WHOLE) as f64 + self.words.total_f64(FRACTION)
    }
}

/// A gauge: one atomic `f64` (see the module's docs for why it is not sharded).
pub(super) struct GaugeCell {
    bits: AtomicU64,
}

impl GaugeCell {
    pub(super) fn new() -> Self {
        Self {
            bits: AtomicU64::new(0.0_f64.to_bits()),
        }
    }

    /// Sets the value.
    #[inline(always)]
    pub(super) fn set(&self, value: f64) {
        self.bits.store(value.to_bits(), Ordering::Relaxed);
    }

    /// Adds `delta` (possibly negative).
    #[inline(always)]
    pub(super) fn add(&self, delta: f64) {
        // The closure always returns `Some`: the update always happens.
        let _ = self
            .bits
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + delta).to_bits())
            });
    }

    /// The value.
    pub(super) fn get(&self) -> f64 {
        f64::from_bits(self.bits.load(Ordering::Relaxed))
    }
}

/// A histogram with classic buckets, sharded by thread, and native buckets when its
/// metric has them (shared by the threads, an atomic addition per observation).
pub(super) struct HistogramCells {
    words: ShardedWords,
    /// The bounds of its metric.
    bounds: &'static Bounds,
    native: Option<NativeStore>,
}

impl HistogramCells {
    pub(super) fn new(bounds: &'static Bounds, native: Option<i8>) -> Self {
        Self {
            words: ShardedWords::with_max_shards(BUCKETS + bounds.buckets(), MAX_SHARDS),
            bounds,
            native: native.map(|schema| {
                NativeStore::with_range(schema, VALUES_LOWEST_EXPONENT, VALUES_OCTAVES)
            }),
        }
    }

    /// Records a finite `value` (the caller checked).
    #[inline(always)]
    pub(super) fn observe(&self, value: f64) {
        let block = self.words.current_block();
        block.add(BUCKETS + self.bounds.bucket_of(value), 1);
        block.add_f64(SUM, value);
        if let Some(native) = &self.native {
            native.observe(value);
        }
    }

    /// The native buckets and their count, when the histogram has them.
    pub(super) fn native(&self) -> Option<(u64, NativeBuckets)> {
        Some(
            self.native
                .as_ref()?
                .read(crate::core::native::max_buckets()),
        )
    }

    /// The count of each bucket (not cumulative, +Inf last) into `counts`; returns
    /// the sum of the observations.
    pub(super) fn counts(&self, counts: &mut Vec<u64>) -> f64 {
        counts.clear();
        counts.extend((0..self.bounds.buckets()).map(|bucket| self.words.total(BUCKETS + bucket)));
        self.sum()
    }

    /// The sum of the observations.
    pub(super) fn sum(&self) -> f64 {
        self.words.total_f64(SUM)
    }

    /// The number of observations.
    pub(super) fn count(&self) -> u64 {
        (0..self.bounds.buckets())
            .map(|bucket| self.words.total(BUCKETS + bucket))
            .fold(0, u64::wrapping_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_amounts_add_up() {
        let counter = CounterCells::new();
        counter.inc();
        counter.add(1.0);
        counter.add(3.0);
        counter.add(0.5);
        counter.add(0.25);
        assert_eq!(counter.get(), 5.75);
    }

    #[test]
    fn concurrent_increments_are_all_counted() {
        let counter = CounterCells::new();
        let histogram = HistogramCells::new(Box::leak(Box::new(Bounds::new(&[1.0], 1.0))), None);
        let gauge = GaugeCell::new();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..100_000 {
                        counter.inc();
                        counter.add(0.5);
                        histogram.observe(0.5);
                        histogram.observe(2.0);
                        gauge.add(1.0);
                    }
                });
            }
        });
        assert_eq!(counter.get(), 600_000.0);
        let mut counts = Vec::new();
        assert_eq!(histogram.counts(&mut counts), 1_000_000.0);
        assert_eq!(counts, [400_000, 400_000]);
        assert_eq!(histogram.count(), 800_000);
        assert_eq!(gauge.get(), 400_000.0);
    }

    #[test]
    fn observations_fall_in_the_first_bucket_whose_bound_they_do_not_exceed() {
        let histogram = HistogramCells::new(
            Box::leak(Box::new(Bounds::new(&[1.0, 10.0, 100.0], 1.0))),
            None,
        );
        for value in [-5.0, 0.0, 1.0, 1.5, 10.0, 99.9, 100.0, 100.5, 1e300] {
            histogram.observe(value);
        }
        let mut counts = Vec::new();
        let sum = histogram.counts(&mut counts);
        assert_eq!(counts, [3, 2, 2, 2]);
        assert_eq!(sum, -5.0 + 1.0 + 1.5 + 10.0 + 99.9 + 100.0 + 100.5 + 1e300);
        assert_eq!(histogram.sum(), sum);
    }

    #[test]
    fn a_gauge_is_set_and_moved() {
        let gauge = GaugeCell::new();
        assert_eq!(gauge.get(), 0.0);
        gauge.set(7.5);
        gauge.add(-10.0);
        assert_eq!(gauge.get(), -2.5);
    }
}
