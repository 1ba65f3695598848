//! The rules themselves, on plain strings: each returns [`Finding`]s that `mod.rs`
//! turns into spanned errors. Keeping them free of spans lets unit and oracle tests
//! call them directly.

use std::fmt;

use super::MetricKind;
pub(crate) use super::secret_words::{secret_word, words};
use super::suggest;

/// One code of the catalog documented in `monitor_runtime::diagnostics`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub(crate) enum Code {
    M001,
    M002,
    M003,
    M004,
    M005,
    M006,
    M007,
    M010,
    M011,
    M012,
    M013,
    M014,
    M015,
    M020,
    M021,
    M030,
    M040,
    M041,
    M042,
    M043,
    M044,
    M045,
    M050,
    M051,
    M052,
    M060,
    M070,
    M071,
    M072,
    M073,
    M074,
}

impl Code {
    /// Every code, in catalog order.
    #[cfg(test)]
    pub(crate) const ALL: [Code; 31] = [
        Code::M001,
        Code::M002,
        Code::M003,
        Code::M004,
        Code::M005,
        Code::M006,
        Code::M007,
        Code::M010,
        Code::M011,
        Code::M012,
        Code::M013,
        Code::M014,
        Code::M015,
        Code::M020,
        Code::M021,
        Code::M030,
        Code::M040,
        Code::M041,
        Code::M042,
        Code::M043,
        Code::M044,
        Code::M045,
        Code::M050,
        Code::M051,
        Code::M052,
        Code::M060,
        Code::M070,
        Code::M071,
        Code::M072,
        Code::M073,
        Code::M074,
    ];
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A broken rule: what is wrong in plain words, and what to write instead.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct Finding {
    pub(crate) code: Code,
    pub(crate) message: String,
    /// A concrete replacement, shown as `= help: ...`.
    pub(crate) help: Option<String>,
    /// What else changes with the fix, shown as `= note: ...`.
    pub(crate) note: Option<String>,
}

impl Finding {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            message: message.into(),
            help: None,
            note: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// The text of the compile error: message and code, then help and note lines.
    pub(crate) fn render(&self) -> String {
        let mut text = format!("{} [{}]", self.message, self.code);
        if let Some(help) = &self.help {
            text.push_str("\n= help: ");
            text.push_str(help);
        }
        if let Some(note) = &self.note {
            text.push_str("\n= note: ");
            text.push_str(note);
        }
        text
    }
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

fn kind_word(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter => "counter",
        MetricKind::Gauge => "gauge",
        MetricKind::Histogram => "histogram",
    }
}

/// Characters a name may not contain, in order of appearance, each once.
fn invalid_chars(name: &str, allow_colon: bool) -> Vec<char> {
    let mut found = Vec::new();
    for c in name.chars() {
        let allowed = c.is_ascii_alphanumeric() || c == '_' || (allow_colon && c == ':');
        if !allowed && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

fn list_chars(chars: &[char]) -> String {
    let shown: Vec<String> = chars
        .iter()
        .map(|c| match c {
            ' ' => "` ` (space)".to_owned(),
            c if c.is_control() => format!("`{}`", c.escape_default()),
            c => format!("`{c}`"),
        })
        .collect();
    match shown.as_slice() {
        [one] => format!("{one} is not allowed"),
        [init @ .., last] => format!("{} and {last} are not allowed", init.join(", ")),
        [] => String::new(),
    }
}

/// Every rule a metric name breaks. When the name is not a valid Prometheus name at
/// all (M001–M005), only those are reported: the lint rules would repeat the same
/// fix. Each finding carries the fully corrected name as its help.
pub(crate) fn metric_name(name: &str, kind: MetricKind) -> Vec<Finding> {
    let mut findings = Vec::new();
    let what = format!("metric name `{name}`");
    if name.is_empty() {
        findings.push(Finding::new(
            Code::M002,
            format!(
                "metric name is empty: name the {} after what it measures, e.g. `{}`",
                kind_word(kind),
                match kind {
                    MetricKind::Counter => "orders_placed_total",
                    MetricKind::Gauge => "queue_length",
                    MetricKind::Histogram => "request_duration_seconds",
                }
            ),
        ));
        return findings;
    }
    let invalid = invalid_chars(name, true);
    if !invalid.is_empty() {
        findings.push(Finding::new(
            Code::M001,
            format!(
                "{what} is not a valid Prometheus name: {}",
                list_chars(&invalid)
            ),
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        findings.push(Finding::new(
            Code::M003,
            format!("{what} starts with a digit: Prometheus names start with a letter or `_`"),
        ));
    }
    if name.contains(':') {
        findings.push(Finding::new(
            Code::M004,
            format!("{what} contains `:`: colons are reserved for recording rules"),
        ));
    }
    if name.starts_with("__") {
        findings.push(Finding::new(
            Code::M005,
            format!("{what} starts with `__`: such names are reserved for Prometheus itself"),
        ));
    }
    if findings.is_empty() {
        lint_metric_name(name, kind, &what, &mut findings);
    }
    if !findings.is_empty() {
        let suggestion = suggest::metric_name(name, kind);
        let note = unit_note(name);
        for finding in &mut findings {
            if finding.help.is_none()
                && let Some(suggestion) = &suggestion
            {
                finding.help = Some(format!("use `{suggestion}`"));
            }
            if finding.note.is_none() && matches!(finding.code, Code::M014 | Code::M015) {
                finding.note = note.clone();
            }
        }
    }
    findings
}

/// The note for a unit change: values must then be given in the base unit.
fn unit_note(name: &str) -> Option<String> {
    let segments = words(name);
    let skip = usize::from(!name.starts_with('_'));
    let unit_at = unit_position(&segments);
    segments.iter().enumerate().find_map(|(index, segment)| {
        let unit = non_base_unit(segment).or_else(|| {
            // An abbreviation before the unit position is renamed, not converted.
            if index >= skip && index == unit_at {
                abbreviated_unit(segment)
            } else {
                None
            }
        })?;
        let base = unit.base?;
        Some(match (base, unit.conversion) {
            ("ratio", _) => {
                "the values must then be a ratio between 0 and 1 (50% is 0.5)".to_owned()
            }
            (base, Some(conversion)) => {
                // Prefixed units carry only the factor: "divide by 1000".
                let conversion =
                    if conversion.contains(" by ") && conversion.split(' ').count() == 3 {
                        conversion.replacen(" by ", &format!(" {segment} by "), 1)
                    } else {
                        conversion.to_owned()
                    };
                format!("the values must then be in {base}: {conversion}")
            }
            (base, None) => format!("the values stay in {base}; only the name changes"),
        })
    })
}

fn lint_metric_name(name: &str, kind: MetricKind, what: &str, findings: &mut Vec<Finding>) {
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        findings.push(Finding::new(
            Code::M006,
            format!("{what} is not snake_case: write lowercase words joined by `_`"),
        ));
    }
    // Words at `_` and camelCase boundaries, so `requestLatencyMs` is read as well.
    let words = words(name);
    let segments: Vec<&str> = words.iter().map(String::as_str).collect();
    let last = segments.last().copied().unwrap_or_default();
    // `_total` alone is a suffix too, as `promtool` reads it.
    let ends_in =
        |word: &str| (segments.len() > 1 && last == word) || name.ends_with(&format!("_{word}"));
    // `orders_total_` does not end in `_total`, as `promtool` reads it.
    let has_total = !name.ends_with('_') && ends_in("total");
    match kind {
        MetricKind::Counter if !has_total && name.ends_with('_') => findings.push(Finding::new(
            Code::M010,
            format!(
                "counter `{name}` ends in `_`, not in `_total`: Prometheus counters end in `_total`"
            ),
        )),
        MetricKind::Counter if !has_total => findings.push(Finding::new(
            Code::M010,
            format!("counter `{name}` does not end in `_total`: Prometheus counters do"),
        )),
        MetricKind::Gauge | MetricKind::Histogram if has_total => {
            findings.push(Finding::new(
                Code::M011,
                format!(
                    "{} `{name}` ends in `_total`, which is reserved for counters",
                    kind_word(kind)
                ),
            ));
        }
        _ => {}
    }
    if let Some((word, why)) = RESERVED_SUFFIXES.iter().find(|(word, _)| ends_in(word)) {
        findings.push(Finding::new(
            Code::M012,
            if name.ends_with(&format!("_{word}")) {
                format!(
                    "{what} ends in `_{word}`, which would be mistaken for another series: {why}"
                )
            } else {
                format!(
                    "{what} ends in the word `{word}`, which reads as the suffix `_{word}` and \
                     would be mistaken for another series: {why}"
                )
            },
        ));
    }
    // Like `promtool`, a type word or an abbreviation counts after a `_`: `jobs_gauge`
    // and `_gauge`, not `gauge_readings`.
    let skip = usize::from(!name.starts_with('_'));
    for segment in segments.iter().skip(skip) {
        if let Some(word) = TYPE_WORDS.iter().find(|word| *word == segment) {
            findings.push(Finding::new(
                Code::M013,
                format!(
                    "{what} contains the metric type `{word}`: the type is already stated by `# TYPE`"
                ),
            ));
        }
    }
    let unit_at = unit_position(&segments);
    for (index, segment) in segments.iter().enumerate() {
        if let Some(unit) = non_base_unit(segment) {
            let base = unit.base.unwrap_or("seconds");
            findings.push(Finding::new(
                Code::M014,
                format!(
                    "{what} uses the unit `{segment}`: Prometheus metrics use base units, here `{base}`"
                ),
            ));
        } else if index >= skip {
            let unit = if index == unit_at {
                abbreviated_unit(segment)
            } else {
                linted_abbreviation(segment)
            };
            let Some(unit) = unit else {
                continue;
            };
            if index != unit_at {
                // `plan_b_signups_total`: `b` is probably not a unit, but `promtool`
                // reads any `_b_` as one, so the word is renamed, not converted.
                let as_unit = unit.base.map_or_else(
                    || "a unit (minutes or meters)".to_owned(),
                    |base| format!("a unit ({base})"),
                );
                let mut finding = Finding::new(
                    Code::M015,
                    format!(
                        "{what} contains the word `{segment}`, which Prometheus linters \
                         (`promtool check metrics`) read as an abbreviated unit wherever it stands"
                    ),
                );
                finding.note = Some(format!(
                    "if `{segment}` is not meant as {as_unit}, spell it out or join it to \
                     the word before; if it is, write the base unit at the end of the name"
                ));
                findings.push(finding);
                continue;
            }
            let message = match unit.base {
                Some(base) => format!(
                    "{what} uses the abbreviated unit `{segment}`: spell out the base unit, `{base}`"
                ),
                None => format!(
                    "{what} uses the abbreviated unit `{segment}`: spell out the base unit, \
                     `seconds` for a time or `meters` for a length"
                ),
            };
            findings.push(Finding::new(Code::M015, message));
        }
    }
    if let Some(why) = reserved_name(name) {
        findings.push(Finding::new(
            Code::M007,
            format!("{what} is reserved: {why}; name your metric after your service or domain"),
        ));
    }
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

/// Where a unit stands in a name split into words: the last word, or the word before
/// a trailing `total` (`request_duration_seconds_total`). Abbreviations elsewhere are
/// words that merely look like units (`plan_b_signups_total`).
pub(crate) fn unit_position<S: AsRef<str>>(segments: &[S]) -> usize {
    let last = segments.len().saturating_sub(1);
    if last > 0 && segments[last].as_ref() == "total" {
        last - 1
    } else {
        last
    }
}

/// Labels a user may not define: Prometheus' own, and those the framework adds.
pub(crate) const RESERVED_LABELS: &[(&str, &str)] = &[
    ("le", "Prometheus uses it for histogram bucket bounds"),
    ("quantile", "Prometheus uses it for summary quantiles"),
    (
        "function",
        "the framework adds it itself to name the monitored function",
    ),
    ("module", "the framework adds it itself to name the module"),
    (
        "result",
        "the framework adds it itself for the outcome of a call",
    ),
    ("job", "Prometheus sets it on every scraped series"),
    ("instance", "Prometheus sets it on every scraped series"),
];

/// A name to offer instead of a reserved label, where the usual meaning is clear.
const RESERVED_LABEL_ALTERNATIVES: &[(&str, &str)] = &[
    ("function", "operation"),
    ("module", "component"),
    ("result", "status"),
    ("job", "task"),
    ("instance", "host"),
];

/// Every rule a label name breaks.
pub(crate) fn label_name(name: &str) -> Vec<Finding> {
    let what = format!("label name `{name}`");
    let mut findings = Vec::new();
    if name.is_empty() {
        findings.push(Finding::new(
            Code::M002,
            "label name is empty: name the label after what its values are, e.g. `plan`",
        ));
        return findings;
    }
    let invalid = invalid_chars(name, false);
    if !invalid.is_empty() {
        findings.push(Finding::new(
            Code::M001,
            format!(
                "{what} is not a valid Prometheus label name: {}",
                list_chars(&invalid)
            ),
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        findings.push(Finding::new(
            Code::M003,
            format!("{what} starts with a digit: label names start with a letter or `_`"),
        ));
    }
    if name.starts_with("__") {
        findings.push(Finding::new(
            Code::M020,
            format!("{what} starts with `__`: such labels are reserved for Prometheus itself"),
        ));
    } else if let Some((_, why)) = RESERVED_LABELS.iter().find(|(label, _)| *label == name) {
        let mut finding = Finding::new(
            Code::M020,
            format!("{what} is reserved: {why}; choose another name"),
        );
        if let Some((_, instead)) = RESERVED_LABEL_ALTERNATIVES
            .iter()
            .find(|(label, _)| *label == name)
        {
            finding = finding.help(format!("e.g. `{instead}`, after what the values are"));
        }
        findings.push(finding);
    }
    let lowercase = name.to_ascii_lowercase();
    if lowercase != name
        && let Some((reserved, why)) = RESERVED_LABELS
            .iter()
            .find(|(label, _)| *label == lowercase)
    {
        // `LE` is not `le` to Prometheus, but it reads as it on every dashboard.
        let mut finding = Finding::new(
            Code::M020,
            format!(
                "{what} is `{reserved}` in capitals, and `{reserved}` is reserved: {why}; \
                 choose another name"
            ),
        );
        if let Some((_, instead)) = RESERVED_LABEL_ALTERNATIVES
            .iter()
            .find(|(label, _)| label == reserved)
        {
            finding = finding.help(format!("e.g. `{instead}`, after what the values are"));
        }
        findings.push(finding);
    }
    if invalid.is_empty() && name.chars().any(|c| c.is_ascii_uppercase()) {
        findings.push(Finding::new(
            Code::M006,
            format!("{what} is not snake_case: write lowercase words joined by `_`"),
        ));
    }
    if let Some(suggestion) = suggest::label_name(name) {
        for finding in &mut findings {
            finding.help = Some(format!("use `{suggestion}`"));
        }
    }
    findings
}

/// M001 for a label name written as a string (`labels("user-id" = ...)`): label
/// names are identifiers.
pub(crate) fn quoted_label_name(name: &str) -> Finding {
    let finding = Finding::new(
        Code::M001,
        format!(
            "label name `\"{}\"` is a string: label names are written as identifiers, \
             `labels(name = value)`",
            name.escape_default()
        ),
    );
    let fixed = if label_name(name).is_empty() {
        Some(name.to_owned())
    } else {
        suggest::label_name(name)
    };
    match fixed {
        Some(fixed) => finding.help(format!("use `{fixed}`, without quotes")),
        None => finding,
    }
}

/// M021 for every label after the first of its name; indexes into `labels`.
pub(crate) fn duplicate_labels(labels: &[&str]) -> Vec<(usize, Finding)> {
    labels
        .iter()
        .enumerate()
        .filter(|(index, name)| labels[..*index].contains(name))
        .map(|(index, name)| {
            (
                index,
                Finding::new(
                    Code::M021,
                    format!(
                        "label `{name}` is given twice: each label of a metric needs its own name"
                    ),
                )
                .help("remove one, or rename it after what it holds"),
            )
        })
        .collect()
}

/// M030 for help text that is present but blank.
pub(crate) fn help_text(help: &str) -> Option<Finding> {
    help.trim().is_empty().then(|| {
        Finding::new(
            Code::M030,
            "help text is empty: say in a few words what the metric measures",
        )
        .help("e.g. `help = \"Login attempts, by plan\"`")
    })
}

/// M030 for missing help text.
pub(crate) fn missing_help() -> Finding {
    Finding::new(
        Code::M030,
        "missing help text: Prometheus shows it next to the metric as `# HELP`",
    )
    .help("add `help = \"...\"` saying what the metric measures")
}

/// `a token`, `an api key`.
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// M060 when a label value would come from a secret-looking source.
pub(crate) fn label_source(source: &str) -> Option<Finding> {
    let secret = secret_word(source)?;
    Some(
        Finding::new(
            Code::M060,
            format!(
                "label value taken from `{source}`, which looks like {}: label values are \
                 stored and shown in plain text by Prometheus and every dashboard",
                with_article(&secret.replace('_', " "))
            ),
        )
        .help("label by a non-secret attribute instead (a plan, a region, a status)"),
    )
}

/// M060 when a label is named like a secret (`labels(password = plan)`): whatever it
/// is read from, its values would be taken for secrets, or be them.
pub(crate) fn label_named_secret(name: &str) -> Option<Finding> {
    let secret = secret_word(name)?;
    Some(
        Finding::new(
            Code::M060,
            format!(
                "label `{name}` is named like {}: label values are stored and shown in plain \
                 text by Prometheus and every dashboard",
                with_article(&secret.replace('_', " "))
            ),
        )
        .help("name the label after a non-secret attribute (a plan, a region, a status)"),
    )
}

/// Parses a duration such as `500ms`, `2s`, `1m30s`: M050 when it does not parse,
/// M051 when it is zero, M052 when it is too long to be kept in 64-bit nanoseconds.
pub(crate) fn duration(text: &str) -> Result<std::time::Duration, Finding> {
    const EXAMPLES: &str = "write a number and a unit, e.g. \"500ms\", \"2s\", \"1m30s\"";
    let parsed = humantime::parse_duration(text.trim()).map_err(|error| match error {
        humantime::DurationError::NumberOverflow => overflow(text),
        humantime::DurationError::UnknownUnit { unit, .. } if unit.is_empty() => Finding::new(
            Code::M050,
            format!("`{text}` is not a duration: the number has no unit"),
        )
        .help(format!(
            "write e.g. \"{}ms\" or \"{}s\"",
            text.trim(),
            text.trim()
        )),
        humantime::DurationError::UnknownUnit { unit, .. } => Finding::new(
            Code::M050,
            format!("`{text}` is not a duration: unknown unit `{unit}`"),
        )
        .help(format!(
            "use `ns`, `us`, `ms`, `s`, `m`, `h` or `d`; {EXAMPLES}"
        )),
        humantime::DurationError::Empty => {
            Finding::new(Code::M050, "the duration is empty").help(EXAMPLES)
        }
        _ => Finding::new(Code::M050, format!("`{text}` is not a duration")).help(EXAMPLES),
    })?;
    if parsed.is_zero() {
        return Err(Finding::new(
            Code::M051,
            format!("duration `{text}` is zero: a timeout or interval must be longer than that"),
        )
        .help("give a positive duration, e.g. \"500ms\""));
    }
    if u64::try_from(parsed.as_nanos()).is_err() {
        return Err(overflow(text));
    }
    Ok(parsed)
}

fn overflow(text: &str) -> Finding {
    Finding::new(
        Code::M052,
        format!("duration `{text}` is too long: the longest supported is about 584 years"),
    )
    .help("give a shorter duration, e.g. \"1h\"")
}

/// M002 for a blank label value, M001 for one with control characters (line breaks,
/// tabs), which dashboards cannot show.
pub(crate) fn label_value(value: &str, label: &str) -> Option<Finding> {
    if value.trim().is_empty() {
        return Some(Finding::new(
            Code::M002,
            format!("the `{label}` label value is empty: it names the series on dashboards"),
        )
        .help("give a short name, e.g. `name = \"checkout\"`, or leave it out to use the function's name"));
    }
    let control: Vec<char> = value.chars().filter(|c| c.is_control()).collect();
    if !control.is_empty() {
        let trimmed: String = value
            .split(char::is_control)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        return Some(
            Finding::new(
                Code::M001,
                format!(
                    "the `{label}` label value `{}` contains control characters: {}",
                    value.escape_default(),
                    list_chars(&control)
                ),
            )
            .help(format!("use `{}`", trimmed.trim())),
        );
    }
    None
}
