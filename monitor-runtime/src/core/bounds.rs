//! Histogram bounds as whole units (nanoseconds, bytes) for the hot paths of
//! monitored functions and HTTP server metrics, or as given for the `f64` values of
//! business histograms; and the default bounds of durations.

/// The histogram bounds of durations when none are given, in seconds: in-process
/// timings, from 100 µs to 10 s in 1-2.5-5 steps, with 2 s in place of 2.5 s because
/// the default alerts compare p95 to 1 s and 2 s and the default objectives count
/// calls under 250 ms. `#[monitored]` functions without `buckets = [...]` and
/// business histograms named in `_seconds` without them take these.
pub(crate) const DEFAULT_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0,
    5.0, 10.0,
];

/// The bounds of one histogram as given (for the exposition) and as whole units for
/// the hot path: for a whole number of units, `value ≤ bound` is
/// `units ≤ floor(bound × scale)`.
pub(crate) struct Bounds {
    given: Box<[f64]>,
    /// The bounds in units, then `u64::MAX` for +Inf: every value is at most the
    /// last, so a scan always ends within the slice.
    units: Box<[u64]>,
}

impl Bounds {
    /// `scale`: units per exposed unit (10⁹ nanoseconds per second, 1 byte per
    /// byte). The bounds are finite, non-negative and increasing (checked by the
    /// caller).
    pub(crate) fn new(given: &[f64], scale: f64) -> Self {
        Self {
            given: given.into(),
            // `as` saturates: huge bounds become `u64::MAX`.
            units: given
                .iter()
                .map(|bound| (bound * scale).floor() as u64)
                .chain([u64::MAX])
                .collect(),
        }
    }

    /// The bounds as given, without +Inf.
    pub(crate) fn given(&self) -> &[f64] {
        &self.given
    }

    /// The number of buckets: one per bound, and +Inf.
    pub(crate) fn buckets(&self) -> usize {
        self.units.len()
    }

    /// The bucket (not cumulative) `units` falls in; the last is +Inf. A linear scan
    /// from the smallest bound: most values fall in the first buckets, where it stops
    /// after a comparison or two.
    #[inline(always)]
    pub(crate) fn bucket(&self, units: u64) -> usize {
        let mut bucket = 0;
        // SAFETY: `units` ends with `u64::MAX`, which no value exceeds: the scan
        // stops at the last index at the latest.
        while units > unsafe { *self.units.get_unchecked(bucket) } {
            bucket += 1;
        }
        bucket
    }

    /// The bucket (not cumulative) `value` falls in, compared with the bounds as
    /// given: the first whose bound is at least `value`, +Inf (the last) when none
    /// is. For values that are not whole units (the `f64` of business histograms).
    #[inline]
    pub(crate) fn bucket_of(&self, value: f64) -> usize {
        self.given
            .iter()
            .position(|bound| value <= *bound)
            .unwrap_or(self.given.len())
    }
}

#[cfg(test)]
mod tests {
    use super::Bounds;

    #[test]
    fn values_on_a_bound_fall_in_its_bucket_and_the_largest_in_inf() {
        let bounds = Bounds::new(&[0.005, 0.01], 1e9);
        assert_eq!(bounds.buckets(), 3);
        assert_eq!(bounds.given(), [0.005, 0.01]);
        assert_eq!(bounds.bucket(0), 0);
        assert_eq!(bounds.bucket(5_000_000), 0);
        assert_eq!(bounds.bucket(5_000_001), 1);
        assert_eq!(bounds.bucket(10_000_000), 1);
        assert_eq!(bounds.bucket(10_000_001), 2);
        assert_eq!(bounds.bucket(u64::MAX), 2);
        // A bound too large for the units saturates; values still end in +Inf.
        let huge = Bounds::new(&[1e30], 1e9);
        assert_eq!(huge.bucket(u64::MAX), 0);
        assert_eq!(Bounds::new(&[], 1.0).bucket(u64::MAX), 0);
    }

    #[test]
    fn values_compare_with_the_bounds_as_given() {
        let bounds = Bounds::new(&[0.5, 10.0], 1.0);
        assert_eq!(bounds.bucket_of(-3.0), 0);
        assert_eq!(bounds.bucket_of(0.5), 0);
        assert_eq!(bounds.bucket_of(0.75), 1);
        assert_eq!(bounds.bucket_of(10.0), 1);
        assert_eq!(bounds.bucket_of(10.5), 2);
        assert_eq!(bounds.bucket_of(f64::MAX), 2);
        assert_eq!(Bounds::new(&[], 1.0).bucket_of(1.0), 0);
    }

    #[test]
    fn default_bounds_are_increasing_seconds_from_100_microseconds_to_10_seconds() {
        assert!(
            super::DEFAULT_BUCKETS
                .windows(2)
                .all(|pair| pair[0] < pair[1])
        );
        assert_eq!(super::DEFAULT_BUCKETS.first(), Some(&0.0001));
        assert_eq!(super::DEFAULT_BUCKETS.last(), Some(&10.0));
    }
}
