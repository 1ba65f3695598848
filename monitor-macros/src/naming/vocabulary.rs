//! The words the naming rules know: metric kinds, reserved suffixes, names and
//! prefixes, type words and units. The rules (`rules`) and the suggested fixes
//! (`suggest`) both read them.

/// The kind of a metric, which decides the suffix rules.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

/// Suffixes that Prometheus or OpenMetrics give a meaning of their own.
pub(crate) const RESERVED_SUFFIXES: &[(&str, &str)] = &[
    (
        "count",
        "histograms and summaries expose their number of observations as `<name>_count`",
    ),
    (
        "sum",
        "histograms and summaries expose their sum of observations as `<name>_sum`",
    ),
    (
        "bucket",
        "histograms expose their buckets as `<name>_bucket`",
    ),
    (
        "created",
        "OpenMetrics exposes creation timestamps as `<name>_created`",
    ),
    (
        "info",
        "`_info` marks info metrics, whose value is always 1 and whose data is in labels",
    ),
];

/// Metric types, which `# TYPE` already states.
pub(crate) const TYPE_WORDS: &[&str] = &["counter", "gauge", "histogram", "summary", "untyped"];

/// What a unit word means: the base unit to use instead and, when the values change
/// scale with it, how.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Unit {
    /// `None` when the abbreviation is ambiguous (`m`: minutes or meters).
    pub(crate) base: Option<&'static str>,
    pub(crate) conversion: Option<&'static str>,
}

const fn unit(base: &'static str, conversion: &'static str) -> Unit {
    Unit {
        base: Some(base),
        conversion: Some(conversion),
    }
}

const fn same(base: &'static str) -> Unit {
    Unit {
        base: Some(base),
        conversion: None,
    }
}

/// Base units, as `promtool check metrics` accepts them.
const BASE_UNITS: &[&str] = &[
    "amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters", "metres", "seconds",
    "volts", "ratio",
];

/// Unit words that are not base units (`promtool`'s list and a few common others).
const NON_BASE_UNITS: &[(&str, Unit)] = &[
    ("minutes", unit("seconds", "multiply minutes by 60")),
    ("hours", unit("seconds", "multiply hours by 3600")),
    ("days", unit("seconds", "multiply days by 86400")),
    ("weeks", unit("seconds", "multiply weeks by 604800")),
    ("kelvins", same("kelvin")),
    (
        "fahrenheit",
        unit("celsius", "convert Fahrenheit to Celsius"),
    ),
    ("rankine", unit("celsius", "convert Rankine to Celsius")),
    ("inches", unit("meters", "multiply inches by 0.0254")),
    ("feet", unit("meters", "multiply feet by 0.3048")),
    ("yards", unit("meters", "multiply yards by 0.9144")),
    ("miles", unit("meters", "multiply miles by 1609.344")),
    ("bits", unit("bytes", "divide bits by 8")),
    ("calories", unit("joules", "multiply calories by 4.184")),
    ("pounds", unit("grams", "multiply pounds by 453.59237")),
    ("ounces", unit("grams", "multiply ounces by 28.349523125")),
    (
        "percent",
        unit("ratio", "give a ratio between 0 and 1 (50% is 0.5)"),
    ),
    (
        "percentage",
        unit("ratio", "give a ratio between 0 and 1 (50% is 0.5)"),
    ),
];

/// SI and binary prefixes; a prefixed unit (`milliseconds`, `kilobytes`) is not a base
/// unit. The factor says how to convert.
const UNIT_PREFIXES: &[(&str, &str)] = &[
    ("pico", "divide by 1e12"),
    ("nano", "divide by 1e9"),
    ("micro", "divide by 1e6"),
    ("milli", "divide by 1000"),
    ("centi", "divide by 100"),
    ("deci", "divide by 10"),
    ("deca", "multiply by 10"),
    ("hecto", "multiply by 100"),
    ("kilo", "multiply by 1000"),
    ("kibi", "multiply by 1024"),
    ("mega", "multiply by 1e6"),
    ("mebi", "multiply by 1048576"),
    ("mibi", "multiply by 1048576"),
    ("giga", "multiply by 1e9"),
    ("gibi", "multiply by 1073741824"),
    ("tera", "multiply by 1e12"),
    ("tebi", "multiply by 1099511627776"),
    ("peta", "multiply by 1e15"),
    ("pebi", "multiply by 1125899906842624"),
];

/// Abbreviated units (`promtool`'s list and a few common others). `min` is left out:
/// as the last word it means "minimum" as often as "minutes" (`temperature_min`).
const ABBREVIATED_UNITS: &[(&str, Unit)] = &[
    ("s", same("seconds")),
    ("sec", same("seconds")),
    ("secs", same("seconds")),
    ("ms", unit("seconds", "divide milliseconds by 1000")),
    ("msec", unit("seconds", "divide milliseconds by 1000")),
    ("millis", unit("seconds", "divide milliseconds by 1000")),
    ("us", unit("seconds", "divide microseconds by 1e6")),
    ("usec", unit("seconds", "divide microseconds by 1e6")),
    ("micros", unit("seconds", "divide microseconds by 1e6")),
    ("ns", unit("seconds", "divide nanoseconds by 1e9")),
    ("nsec", unit("seconds", "divide nanoseconds by 1e9")),
    ("nanos", unit("seconds", "divide nanoseconds by 1e9")),
    ("mins", unit("seconds", "multiply minutes by 60")),
    ("h", unit("seconds", "multiply hours by 3600")),
    ("hr", unit("seconds", "multiply hours by 3600")),
    ("hrs", unit("seconds", "multiply hours by 3600")),
    ("d", unit("seconds", "multiply days by 86400")),
    (
        "m",
        Unit {
            base: None,
            conversion: None,
        },
    ),
    ("b", same("bytes")),
    ("kb", unit("bytes", "multiply kilobytes by 1000")),
    ("mb", unit("bytes", "multiply megabytes by 1e6")),
    ("gb", unit("bytes", "multiply gigabytes by 1e9")),
    ("tb", unit("bytes", "multiply terabytes by 1e12")),
    ("pb", unit("bytes", "multiply petabytes by 1e15")),
    ("kib", unit("bytes", "multiply kibibytes by 1024")),
    ("mib", unit("bytes", "multiply mebibytes by 1048576")),
    ("gib", unit("bytes", "multiply gibibytes by 1073741824")),
    ("tib", unit("bytes", "multiply tebibytes by 1099511627776")),
    (
        "pct",
        unit("ratio", "give a ratio between 0 and 1 (50% is 0.5)"),
    ),
];

/// The abbreviations `promtool check metrics` flags wherever they stand after a `_`.
/// Before the unit position only these are refused: `queue_min_depth` or
/// `jobs_pct_done` read fine and pass `promtool`.
const PROMTOOL_ABBREVIATIONS: &[&str] = &[
    "s", "ms", "us", "ns", "sec", "m", "h", "d", "b", "kb", "mb", "gb", "tb", "pb",
];

/// An abbreviation that `promtool` reads as a unit even before the unit position
/// (`plan_b_signups_total`).
pub(crate) fn linted_abbreviation(segment: &str) -> Option<Unit> {
    PROMTOOL_ABBREVIATIONS
        .contains(&segment)
        .then(|| abbreviated_unit(segment))
        .flatten()
}

/// A unit word that is not a base unit: spelled out but scaled or off-system
/// (`milliseconds`, `kilobytes`, `minutes`, `percent`).
pub(crate) fn non_base_unit(segment: &str) -> Option<Unit> {
    if BASE_UNITS.contains(&segment) {
        return None;
    }
    if let Some((_, unit)) = NON_BASE_UNITS.iter().find(|(word, _)| *word == segment) {
        return Some(*unit);
    }
    UNIT_PREFIXES.iter().find_map(|(prefix, conversion)| {
        let rest = segment.strip_prefix(prefix)?;
        let base = BASE_UNITS
            .iter()
            .chain(NON_BASE_UNITS.iter().map(|(word, _)| word))
            .find(|unit| **unit == rest)?;
        let base = non_base_unit(base)
            .and_then(|unit| unit.base)
            .unwrap_or(base);
        Some(Unit {
            base: Some(base),
            conversion: Some(conversion),
        })
    })
}

/// An abbreviated unit (`ms`, `kb`).
pub(crate) fn abbreviated_unit(segment: &str) -> Option<Unit> {
    ABBREVIATED_UNITS
        .iter()
        .find(|(word, _)| *word == segment)
        .map(|(_, unit)| *unit)
}

/// Prefixes of the metric families the framework emits, now or in a planned part, and
/// of the series Prometheus adds to every scrape: a metric of the same name would
/// fail registration or be overwritten.
pub(crate) const RESERVED_PREFIXES: &[(&str, &str)] = &[
    (
        "function_calls_",
        "`#[monitored]` exposes `function_calls_total`, `function_calls_duration_seconds`, \
         `function_calls_concurrent` and `function_calls_cancelled_total`",
    ),
    (
        "health_check_",
        "health checks expose `health_check_status`, `health_check_duration_seconds` and \
         `health_check_failures_total`",
    ),
    (
        "monitor_",
        "the framework counts its own problems under `monitor_*` \
         (`monitor_label_overflow_total`, `monitor_exposition_errors_total`, …)",
    ),
    (
        "process_",
        "the process collector exposes `process_cpu_seconds_total`, \
         `process_resident_memory_bytes`, … (the Prometheus client convention)",
    ),
    (
        "system_",
        "the host metrics expose `system_cpu_utilization_ratio`, `system_memory_used_bytes`, \
         `system_disk_available_bytes`, … (`monitor_runtime::system`)",
    ),
    (
        "http_server_",
        "the HTTP layer exposes `http_server_request_duration_seconds`, \
         `http_server_active_requests`, … (the OpenTelemetry HTTP conventions)",
    ),
    (
        "http_client_",
        "the HTTP client layer exposes `http_client_request_duration_seconds`, … (the \
         OpenTelemetry HTTP conventions)",
    ),
    (
        "db_client_",
        "watched connection pools expose `db_client_connections`, \
         `db_client_connection_wait_time_seconds`, … (the OpenTelemetry database conventions)",
    ),
    (
        "tokio_",
        "the tokio runtime metrics expose `tokio_workers`, `tokio_alive_tasks`, \
         `tokio_worker_busy_seconds_total`, …",
    ),
    (
        "scrape_",
        "Prometheus adds `scrape_duration_seconds`, `scrape_samples_scraped`, … to every \
         target it scrapes",
    ),
];

/// Whole names reserved the same way.
pub(crate) const RESERVED_NAMES: &[(&str, &str)] = &[
    ("up", "Prometheus adds `up` to every target it scrapes"),
    (
        "ALERTS",
        "Prometheus writes its pending and firing alerts as `ALERTS`",
    ),
    (
        "ALERTS_FOR_STATE",
        "Prometheus keeps the state of its alerts as `ALERTS_FOR_STATE`",
    ),
    (
        "target_info",
        "`target_info` carries the attributes of the service (the OpenTelemetry convention)",
    ),
    (
        "cache_hits_total",
        "the cache pattern (`monitor_runtime::cache`) counts hits as `cache_hits_total`",
    ),
    (
        "cache_misses_total",
        "the cache pattern (`monitor_runtime::cache`) counts misses as `cache_misses_total`",
    ),
    (
        "build_info",
        "`build_info` is kept for the version the service was built from",
    ),
];

/// Why `name` is reserved, if it is: a family the framework or Prometheus emits.
pub(crate) fn reserved_name(name: &str) -> Option<&'static str> {
    if let Some((_, why)) = RESERVED_NAMES
        .iter()
        .find(|(reserved, _)| *reserved == name)
    {
        return Some(why);
    }
    let lowercase = name.to_ascii_lowercase();
    RESERVED_PREFIXES
        .iter()
        .find(|(prefix, _)| lowercase.starts_with(prefix))
        .map(|(_, why)| *why)
}
