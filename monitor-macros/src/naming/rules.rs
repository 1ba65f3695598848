//! The rules themselves, on plain strings: each returns [`Finding`]s that `mod.rs`
//! turns into spanned errors. Keeping them free of spans lets unit and oracle tests
//! call them directly.

use std::fmt;

pub(crate) use super::secret_words::{secret_word, words};
use super::suggest;
pub(crate) use super::vocabulary::{
    MetricKind, RESERVED_SUFFIXES, TYPE_WORDS, abbreviated_unit, linted_abbreviation,
    non_base_unit, reserved_name,
};

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
        let suggestion = suggested_metric_name(name, kind);
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

/// The metric name to write instead of `name` ([`suggest::metric_name`]) when it
/// passes every rule; `None` when there is no single obvious fix.
pub(crate) fn suggested_metric_name(name: &str, kind: MetricKind) -> Option<String> {
    suggest::metric_name(name, kind).filter(|suggestion| metric_name(suggestion, kind).is_empty())
}

/// The label name to write instead of `name` ([`suggest::label_name`]) when it
/// passes every rule.
pub(crate) fn suggested_label_name(name: &str) -> Option<String> {
    suggest::label_name(name).filter(|suggestion| label_name(suggestion).is_empty())
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
    if let Some(suggestion) = suggested_label_name(name) {
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
        suggested_label_name(name)
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
