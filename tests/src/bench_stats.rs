//! The figures the interleaved benchmarks print: the median of a variant's slices
//! and their spread.

/// The median of `values` (sorted in place; the mean of the two middle values
/// when their number is even).
///
/// ```
/// assert_eq!(monitor_tests::bench_stats::median(&mut [3.0, 1.0, 2.0]), 2.0);
/// assert_eq!(monitor_tests::bench_stats::median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
/// ```
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

/// The smallest and the largest of `values`.
///
/// ```
/// assert_eq!(monitor_tests::bench_stats::spread(&[3.0, -1.0, 2.0]), (-1.0, 3.0));
/// ```
pub fn spread(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(min, max), &value| {
            (min.min(value), max.max(value))
        })
}
