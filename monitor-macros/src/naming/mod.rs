//! Every naming, bucket and duration rule, checked at compile time. Every name, bound
//! and duration that reaches any macro passes through here, so that whatever compiles
//! is accepted by Prometheus and by `promtool check metrics`.
//!
//! Each rule has a code (`M001`, …) listed in `monitor_runtime::diagnostics`. The
//! rules work on plain strings (`rules`) over the words they know (`vocabulary`),
//! corrected names come from `suggest` (kept by the rules when they pass them all),
//! `report` turns findings into errors spanned on what the user wrote, and the
//! functions here check what the macros read.

pub(crate) mod alerts;
mod buckets;
mod report;
pub(crate) mod rules;
mod secret_words;
mod suggest;
mod vocabulary;

#[cfg(test)]
mod oracle;
#[cfg(test)]
mod tests;

use proc_macro2::{Span, TokenStream};
use syn::LitStr;

use crate::support::{self, Ctxt};
pub(crate) use buckets::{
    BucketUnit, NATIVE_DEFAULT, NativeSchema, buckets, native, native_schema, native_takes_no_value,
};
use report::{report, report_spanned};
pub(crate) use vocabulary::MetricKind;

/// Checks a metric name given as a string literal (M001–M006, M010–M015).
pub(crate) fn check_metric_name(cx: &mut Ctxt, name: &LitStr, kind: MetricKind) {
    check_metric_name_at(cx, &name.value(), name.span(), kind);
}

/// Checks a metric name that is not a literal of its own (derived from an identifier,
/// say); `span` points at where it comes from.
pub(crate) fn check_metric_name_at(cx: &mut Ctxt, name: &str, span: Span, kind: MetricKind) {
    for finding in rules::metric_name(name, kind) {
        report(cx, span, &finding);
    }
}

/// Checks a label name; `written` is what the user wrote (M001–M003, M006, M020). A
/// `quoted` name was written as a string literal (M001).
pub(crate) fn check_label_name(cx: &mut Ctxt, name: &str, written: &TokenStream, quoted: bool) {
    if quoted {
        report_spanned(cx, written, &rules::quoted_label_name(name));
        return;
    }
    for finding in rules::label_name(name) {
        report_spanned(cx, written, &finding);
    }
}

/// Checks that a histogram declared without `buckets` may take the default bounds:
/// those of durations, for a name in `_seconds` (M044). A name that breaks a naming
/// rule is left to that rule: renaming it (`_ms` to `_seconds`) may be the fix.
pub(crate) fn check_default_buckets(cx: &mut Ctxt, name: &LitStr) {
    let text = name.value();
    if !rules::metric_name(&text, MetricKind::Histogram).is_empty() {
        return;
    }
    if let Some(finding) = buckets::missing_buckets(&text) {
        report(cx, name.span(), &finding);
    }
}

/// Checks help text: present and not blank (M030). `missing_span` points at the
/// attribute when no `help` was given.
pub(crate) fn check_help(cx: &mut Ctxt, help: Option<&LitStr>, missing_span: Span) {
    match help {
        Some(help) => {
            if let Some(finding) = rules::help_text(&help.value()) {
                report(cx, help.span(), &finding);
            }
        }
        None => report(cx, missing_span, &rules::missing_help()),
    }
}

/// Checks a whole label set: each name, reserved names, duplicates (M021). Each entry
/// is the label name and the span where it was written.
/// `quoted` says, for each label, whether its name was written as a string.
pub(crate) fn check_label_set(cx: &mut Ctxt, labels: &[(String, TokenStream)], quoted: &[bool]) {
    for (index, (name, written)) in labels.iter().enumerate() {
        check_label_name(
            cx,
            name,
            written,
            quoted.get(index).copied().unwrap_or(false),
        );
    }
    let names: Vec<&str> = labels.iter().map(|(name, _)| name.as_str()).collect();
    for (index, finding) in rules::duplicate_labels(&names) {
        report_spanned(cx, &labels[index].1, &finding);
    }
}

/// Rejects a label whose value would come from a secret-looking argument or
/// expression (M060): `source` is the argument name (or the identifier the expression
/// reads), `span` where it was written. Whether it was rejected.
pub(crate) fn check_label_source(cx: &mut Ctxt, source: &str, span: Span) -> bool {
    match rules::label_source(source) {
        Some(finding) => {
            report(cx, span, &finding);
            true
        }
        None => false,
    }
}

/// Rejects a label named like a secret (M060), whatever its value is read from: its
/// values would be taken for secrets, or be them.
pub(crate) fn check_label_named_secret(cx: &mut Ctxt, name: &str, written: &TokenStream) {
    if let Some(finding) = rules::label_named_secret(name) {
        report_spanned(cx, written, &finding);
    }
}

/// Parses a duration string such as `"500ms"`, `"2s"`, `"1m30s"` (M050–M052).
pub(crate) fn parse_duration(cx: &mut Ctxt, text: &LitStr) -> Option<std::time::Duration> {
    match rules::duration(&text.value()) {
        Ok(duration) => Some(duration),
        Err(finding) => {
            report(cx, text.span(), &finding);
            None
        }
    }
}

/// The duration given to the argument `key`: a string literal that parses as one
/// ([`parse_duration`]); anything else is an error (M050).
pub(crate) fn duration_argument(
    cx: &mut Ctxt,
    key: &str,
    value: &syn::Expr,
) -> Option<std::time::Duration> {
    match support::args::string(value) {
        Some(lit) => parse_duration(cx, lit),
        None => {
            cx.error_spanned_by(
                value,
                format!("`{key}` takes a duration string, e.g. `{key} = \"500ms\"` [M050]"),
            );
            None
        }
    }
}

/// Checks a value the user gives for a label the framework sets, such as
/// `#[monitored(name = "...")]` for `function`: any text is a valid label value, but
/// a blank one (M002) or one with control characters (M001) makes an unreadable
/// series. `label` names the label in messages.
pub(crate) fn check_label_value(cx: &mut Ctxt, value: &LitStr, label: &str) {
    if let Some(finding) = rules::label_value(&value.value(), label) {
        report(cx, value.span(), &finding);
    }
}

/// Why `name` cannot name a health check, if it cannot: it is empty (M002), or it has
/// characters that do not fit in a URL path and a label value, or it is a probe
/// endpoint's.
pub(crate) fn health_check_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a health check name must not be empty [M002]".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "health check name `{name}` contains `{bad}`: use letters, digits, `_`, `-` and `.`, \
             as it appears in `/health/{{name}}` and in the `check` label"
        ));
    }
    if matches!(name, "live" | "ready" | "startup") {
        return Some(format!(
            "health check name `{name}` is taken by the `/health/{name}` probe endpoint; choose another"
        ));
    }
    None
}
