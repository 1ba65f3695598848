//! Native histograms: exponential buckets, as Prometheus defines them, for
//! `#[monitored]` durations (and every histogram that asks for them).
//!
//! A native histogram has one bucket per factor `2^(2^-schema)` of the value: schema 3
//! (the default) puts 8 buckets in each doubling, about 9 % wide, so that a quantile is
//! known within about ±4.4 %; schema 0 puts one bucket per doubling, schema 8 256. It is
//! one series in Prometheus instead of one per classic bucket, and its quantiles need no
//! bounds chosen in advance. Only the protobuf exposition carries it (Prometheus asks
//! for it when started with `--enable-feature=native-histograms` in 2.x, or with
//! `scrape_protocols` listing `PrometheusProto` first in 3.x); the text formats show a
//! histogram's classic buckets, and only its count and sum when it has none.
//!
//! # What it costs, and how it is bounded
//!
//! Each native histogram keeps a counter per bucket for values from
//! 2⁻³⁰ s (, about 1 ns, below which values count in the zero
//! bucket) to 2¹² s (, about 68 minutes, above which values count in the
//! largest bucket): `42 × 2^schema` counters of 8 bytes (2.6 KiB at schema 3, 84 KiB
//! at schema 8), shared by every thread (an atomic addition per observation). An
//! exposition writes at most 160 buckets (or what [`set_max_buckets`] says): when more have
//! observations, the resolution is halved (the schema lowered by one, pairs of buckets
//! merged), as often as needed, as Prometheus' own client does.
//!
//! ```
//! monitor_runtime::native::set_max_buckets(100); // instead of 160
//! ```

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};

use super::model::NativeBuckets;

/// The smallest schema Prometheus defines: a factor of 2¹⁶ between bounds.
pub(crate) const MIN_SCHEMA: i8 = -4;
/// The largest schema Prometheus defines: 256 buckets per doubling.
pub(crate) const MAX_SCHEMA: i8 = 8;
/// The schema of `native` without a schema: 8 buckets per doubling.
pub(crate) const DEFAULT_SCHEMA: i8 = 3;

/// Powers of two from 2⁻³⁰ (values at most this, in the histogram's unit, count in
/// the zero bucket) to 2¹² (values above it count in the largest bucket).
const OCTAVES: i32 = 42;
const LOWEST_EXPONENT: i32 = -30;

/// The range of values of the native buckets of a business histogram, whose unit
/// may be anything (bytes, euros, items): 2⁻²⁰ (about 10⁻⁶, the zero threshold)
/// to 2⁵⁰ (about 10¹⁵).
pub(crate) const VALUES_LOWEST_EXPONENT: i32 = -20;
pub(crate) const VALUES_OCTAVES: i32 = 70;

static MAX_BUCKETS: AtomicUsize = AtomicUsize::new(160);

/// The most buckets an exposition writes for one native histogram.
pub(crate) fn max_buckets() -> usize {
    MAX_BUCKETS.load(Ordering::Relaxed)
}

/// Sets the most buckets an exposition writes for one native histogram (at least 8):
/// past it, the resolution of that exposition is halved until it fits.
///
/// ```
/// monitor_runtime::native::set_max_buckets(80); // at most 80 buckets per histogram written
/// monitor_runtime::native::set_max_buckets(160);
/// ```
pub fn set_max_buckets(buckets: usize) {
    MAX_BUCKETS.store(buckets.max(8), Ordering::Relaxed);
}

/// `i32::MIN`: no process default.
static DEFAULT: AtomicI32 = AtomicI32::new(i32::MIN);

/// Gives every histogram that does not say otherwise native buckets of `schema`
/// (clamped to -4..=8) beside its classic ones, or none
/// (`None`, the default). Histograms get their storage when they are registered, so
/// call it first thing in `main`, before [`init`](crate::init) or any call of an
/// instrumented function: histograms registered before keep what they had.
///
/// ```
/// monitor_runtime::native::set_default(Some(3)); // 8 buckets per doubling
/// monitor_runtime::native::set_default(None); // back to classic buckets only
/// ```
pub fn set_default(schema: Option<i8>) {
    DEFAULT.store(
        schema.map_or(i32::MIN, |schema| {
            i32::from(schema.clamp(MIN_SCHEMA, MAX_SCHEMA))
        }),
        Ordering::Relaxed,
    );
}

/// The process default of [`set_default`].
pub(crate) fn default_schema() -> Option<i8> {
    let schema = DEFAULT.load(Ordering::Relaxed);
    i8::try_from(schema).ok()
}

pub(crate) use setting::{NATIVE_DEFAULT, NATIVE_OFF, NativeSetting};

/// What generated code passes: not part of the public API, reached through
/// `__private` only.
pub(crate) mod setting {
    /// What a histogram's declaration asks of native buckets, as generated code
    /// passes it: [`NATIVE_OFF`], [`NATIVE_DEFAULT`] or a schema.
    pub type NativeSetting = i8;
    /// No native buckets, unless the process default gives them.
    pub const NATIVE_OFF: NativeSetting = i8::MIN;
    /// Native buckets of the process default's schema, or schema 3.
    pub const NATIVE_DEFAULT: NativeSetting = i8::MAX;
}

/// The schema a histogram declared with `setting` gets: its own, or the process
/// default's; `None` for no native buckets.
pub(crate) fn resolve(setting: NativeSetting) -> Option<i8> {
    match setting {
        NATIVE_OFF => default_schema(),
        NATIVE_DEFAULT => Some(default_schema().unwrap_or(DEFAULT_SCHEMA)),
        schema => Some(schema.clamp(MIN_SCHEMA, MAX_SCHEMA)),
    }
}

/// The counters of one native histogram.
pub(crate) struct NativeStore {
    schema: i32,
    /// Values at most this count in the zero bucket.
    zero_threshold: f64,
    /// Values above this count in the largest bucket.
    largest: f64,
    /// The bounds of the fraction within a doubling (`2^(i/2^schema - 1)`), for
    /// schemas above 0.
    fractions: &'static [f64],
    /// The key of `counts[1]`; `counts[0]` is the zero bucket.
    first_key: i32,
    counts: Box<[AtomicU64]>,
}

impl NativeStore {
    /// Counters of durations in seconds: from 2⁻³⁰ to 2¹².
    pub(crate) fn new(schema: i8) -> Self {
        Self::with_range(schema, LOWEST_EXPONENT, OCTAVES)
    }

    /// Counters of values from `2^lowest` (the zero threshold) to
    /// `2^(lowest + octaves)`.
    pub(crate) fn with_range(schema: i8, lowest: i32, octaves: i32) -> Self {
        let schema = i32::from(schema.clamp(MIN_SCHEMA, MAX_SCHEMA));
        let first_key = key_of_exponent(lowest, schema) + 1;
        let last_key = key_of_exponent(lowest + octaves, schema);
        let keys = (last_key - first_key + 1) as usize;
        Self {
            schema,
            zero_threshold: f64::from(lowest).exp2(),
            largest: f64::from(lowest + octaves).exp2(),
            fractions: fractions(schema),
            first_key,
            counts: (0..=keys).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Counts `value` in its bucket (a negative value, or one at most the zero
    /// threshold, in the zero bucket).
    #[inline]
    pub(crate) fn observe(&self, value: f64) {
        let slot = if value <= self.zero_threshold || value.is_nan() {
            0
        } else {
            let key = key(value.min(self.largest), self.schema, self.fractions);
            (key - self.first_key + 1).clamp(1, self.counts.len() as i32 - 1) as usize
        };
        // SAFETY: `slot` is 0 or clamped to the last index.
        unsafe { self.counts.get_unchecked(slot) }.fetch_add(1, Ordering::Relaxed);
    }

    /// The buckets now, with at most `max_buckets` of them that have observations
    /// (the resolution halved until they fit); `(count, buckets)`, the count being the
    /// sum of every bucket, so that the two always agree.
    pub(crate) fn read(&self, max_buckets: usize) -> (u64, NativeBuckets) {
        let zero_count = self.counts[0].load(Ordering::Relaxed);
        let mut positive: Vec<(i32, u64)> = self.counts[1..]
            .iter()
            .enumerate()
            .filter_map(|(at, count)| {
                let count = count.load(Ordering::Relaxed);
                (count > 0).then_some((self.first_key + at as i32, count))
            })
            .collect();
        let mut schema = self.schema;
        while positive.len() > max_buckets.max(1) && schema > i32::from(MIN_SCHEMA) {
            positive = halve(&positive);
            schema -= 1;
        }
        let count = positive
            .iter()
            .fold(zero_count, |total, (_, count)| total.wrapping_add(*count));
        (
            count,
            NativeBuckets {
                schema,
                zero_threshold: self.zero_threshold,
                zero_count,
                positive,
                negative: Vec::new(),
            },
        )
    }
}

/// The buckets of the schema one lower: bucket `k` becomes `ceil(k / 2)`, the two
/// buckets of a pair merged.
fn halve(buckets: &[(i32, u64)]) -> Vec<(i32, u64)> {
    let mut merged: Vec<(i32, u64)> = Vec::with_capacity(buckets.len() / 2 + 1);
    for &(key, count) in buckets {
        // `(key + 1) >> 1` rounds up for negative keys too (arithmetic shift).
        let key = (key + 1) >> 1;
        match merged.last_mut() {
            Some((last, total)) if *last == key => *total += count,
            _ => merged.push((key, count)),
        }
    }
    merged
}

/// The key of `2^exponent`: the bucket whose upper bound it is.
fn key_of_exponent(exponent: i32, schema: i32) -> i32 {
    if schema >= 0 {
        exponent << schema
    } else {
        // Bucket `k` holds (2^((k-1)·2^-schema), 2^(k·2^-schema)].
        let width = 1 << -schema;
        exponent.div_euclid(width) + i32::from(exponent.rem_euclid(width) != 0)
    }
}

/// The bucket of a positive, finite `value`: the `k` with
/// `2^((k-1)·2^-schema) < value ≤ 2^(k·2^-schema)`.
#[inline]
fn key(value: f64, schema: i32, fractions: &[f64]) -> i32 {
    let (fraction, exponent) = frexp(value);
    if schema > 0 {
        // The first bound at least `fraction` (they are in [0.5, 1)).
        let within = fractions.partition_point(|bound| *bound < fraction) as i32;
        within + (exponent - 1) * fractions.len() as i32
    } else {
        // `value` = fraction · 2^exponent: a power of two (fraction 0.5) ends the
        // bucket below.
        let key = exponent - i32::from(fraction == 0.5);
        let offset = (1 << -schema) - 1;
        (key + offset) >> -schema
    }
}

/// `value` as `fraction · 2^exponent`, with `fraction` in [0.5, 1): C's `frexp`, for
/// positive normal values.
#[inline]
fn frexp(value: f64) -> (f64, i32) {
    let bits = value.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    if exponent == 0 {
        // Subnormal: scale into the normal range first.
        let (fraction, exponent) = frexp(value * (1u64 << 54) as f64);
        return (fraction, exponent - 54);
    }
    let fraction = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (fraction, exponent - 1022)
}

/// The bounds within a doubling of a positive schema: `2^(i/2^schema - 1)` for `i` in
/// `0..2^schema`.
fn fractions(schema: i32) -> &'static [f64] {
    static TABLES: [OnceLock<Box<[f64]>>; 9] = [const { OnceLock::new() }; 9];
    if schema <= 0 {
        return &[];
    }
    let schema = schema.min(i32::from(MAX_SCHEMA));
    TABLES[schema as usize].get_or_init(|| {
        let steps = 1 << schema;
        (0..steps)
            .map(|i| (f64::from(i) / f64::from(steps) - 1.0).exp2())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bucket as the definition says, by logarithm.
    fn by_definition(value: f64, schema: i32) -> i32 {
        (value.log2() * f64::from(schema).exp2()).ceil() as i32
    }

    #[test]
    fn keys_are_those_of_the_definition() {
        for schema in -4..=8 {
            let fractions = fractions(schema);
            for value in [1e-9, 3e-7, 0.001, 0.0123, 0.25, 0.3, 1.0, 1.5, 7.0, 1000.0] {
                let expected = by_definition(value, schema);
                assert_eq!(
                    key(value, schema, fractions),
                    expected,
                    "{value} at {schema}"
                );
            }
            // Powers of two end their bucket.
            for exponent in -20..12 {
                let value = f64::from(exponent).exp2();
                let expected = key_of_exponent(exponent, schema);
                assert_eq!(
                    key(value, schema, fractions),
                    expected,
                    "2^{exponent} at {schema}"
                );
            }
        }
    }

    #[test]
    fn observations_land_in_their_buckets_and_the_count_agrees() {
        let store = NativeStore::new(3);
        for value in [0.0, 1e-12, 0.001, 0.001, 0.5, 1.0, 1e9] {
            store.observe(value);
        }
        let (count, native) = store.read(160);
        assert_eq!(count, 7);
        assert_eq!(native.zero_count, 2);
        assert_eq!(native.schema, 3);
        let keys: Vec<i32> = native.positive.iter().map(|(key, _)| *key).collect();
        assert_eq!(
            keys,
            [
                by_definition(0.001, 3),
                by_definition(0.5, 3),
                0,
                key_of_exponent(12, 3)
            ]
        );
        assert_eq!(native.positive[0].1, 2);
        for (key, _) in &native.positive {
            let upper = native.upper_bound(*key);
            assert!(upper > 0.0);
        }
    }

    #[test]
    fn too_many_buckets_halve_the_resolution() {
        let store = NativeStore::new(8);
        for step in 0..1000 {
            store.observe(0.001 * f64::from(step + 1));
        }
        let (count, native) = store.read(100);
        assert_eq!(count, 1000);
        assert!(native.positive.len() <= 100, "{}", native.positive.len());
        assert!(native.schema < 8);
        // Every observation is still counted, in a bucket whose bounds hold it.
        let total: u64 = native.positive.iter().map(|(_, count)| count).sum();
        assert_eq!(total, 1000);
        let (_, full) = store.read(10_000);
        assert_eq!(full.schema, 8);
    }

    #[test]
    fn halving_merges_pairs() {
        assert_eq!(
            halve(&[(-3, 1), (-2, 1), (1, 2), (2, 3), (3, 1)]),
            [(-1, 2), (1, 5), (2, 1)]
        );
    }
}
