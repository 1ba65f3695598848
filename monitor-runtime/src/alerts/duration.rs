//! Durations as PromQL writes them (`5m`, `1h`, `30d`).

use std::time::Duration;

/// `duration` in the largest PromQL unit that divides it (`d`, `h`, `m`, `s`, `ms`).
pub(crate) fn promql(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis == 0 {
        return "0s".to_owned();
    }
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if millis.is_multiple_of(size) {
            return format!("{}{unit}", millis / size);
        }
    }
    format!("{millis}ms")
}

/// `n` minutes.
pub(crate) const fn mins(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// `n` hours.
pub(crate) const fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

/// `n` days.
pub(crate) const fn days(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_unit() {
        assert_eq!(promql(mins(5)), "5m");
        assert_eq!(promql(mins(90)), "90m");
        assert_eq!(promql(days(30)), "30d");
        assert_eq!(promql(Duration::from_millis(250)), "250ms");
        assert_eq!(promql(Duration::from_secs(1)), "1s");
        assert_eq!(promql(hours(6)), "6h");
    }
}
