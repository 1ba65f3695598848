//! A histogram of durations in per-thread shards (`core::shard`), for the parts
//! that time something now and then (health check runs, waits for a pooled
//! connection): whole nanoseconds in the shards, seconds in the model.

use std::time::Duration;

use super::bounds::Bounds;
use super::model::{Histogram, Value};
use super::shard::{Shard, ShardedWords};

/// Nanoseconds per second: the unit of the shards' words.
const NANOS: f64 = 1e9;

/// A duration histogram with fixed bounds, in seconds. Its words are the sum, then a
/// bucket per bound and +Inf.
pub(crate) struct DurationHistogram {
    /// The bounds as given, for the model (borrowed by every snapshot).
    given: &'static [f64],
    bounds: Bounds,
    cells: ShardedWords,
}

impl DurationHistogram {
    /// A histogram of `bounds`, in seconds: finite, non-negative and increasing.
    pub(crate) fn new(bounds: &'static [f64]) -> Self {
        let bounds_in_nanos = Bounds::new(bounds, NANOS);
        Self {
            given: bounds,
            cells: ShardedWords::new(1 + bounds_in_nanos.buckets()),
            bounds: bounds_in_nanos,
        }
    }

    /// Records one duration (saturating at `u64::MAX` nanoseconds, about 584 years).
    pub(crate) fn observe(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let block = self.cells.block(Shard::current().index());
        // The bucket before the sum, as the readers expect.
        block.add(1 + self.bounds.bucket(nanos), 1);
        if nanos != 0 {
            block.add(0, nanos);
        }
    }

    /// The histogram now, in the model.
    pub(crate) fn value(&self) -> Value {
        // Buckets before the sum: an observation adds to its bucket first.
        let buckets: Vec<u64> = (0..self.bounds.buckets())
            .map(|bucket| self.cells.total(1 + bucket))
            .collect();
        let sum = self.cells.total(0) as f64 / NANOS;
        Value::Histogram(Histogram::classic(self.given, &buckets, sum))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_land_in_their_buckets_and_the_sum_in_seconds() {
        static BOUNDS: [f64; 2] = [0.005, 0.01];
        let histogram = DurationHistogram::new(&BOUNDS);
        histogram.observe(Duration::from_millis(7));
        histogram.observe(Duration::from_millis(5));
        std::thread::scope(|scope| {
            scope.spawn(|| histogram.observe(Duration::from_secs(2)));
        });
        let Value::Histogram(value) = histogram.value() else {
            panic!("a histogram");
        };
        assert_eq!(value.bounds.as_ref(), BOUNDS);
        assert_eq!(value.cumulative, [1, 2]);
        assert_eq!(value.count, 3);
        assert!((value.sum - 2.012).abs() < 1e-12, "{}", value.sum);
    }
}
