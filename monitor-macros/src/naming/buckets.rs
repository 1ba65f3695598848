//! Histogram bucket rules (M040–M044), for `#[monitored]` durations and business
//! histograms alike.

use quote::ToTokens;

use super::report::report_spanned;
use super::rules::{Code, Finding};
use crate::support::Ctxt;
use crate::support::args::{Arg, ArgValue};

/// What histogram bounds measure: `#[monitored]` observes durations in seconds; a
/// business histogram observes values in its own unit.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BucketUnit {
    Seconds,
    Metric,
}

impl BucketUnit {
    fn example(self) -> &'static str {
        match self {
            BucketUnit::Seconds => "e.g. `buckets = [0.005, 0.01, 0.1, 1.0, 10.0]`",
            BucketUnit::Metric => "e.g. `buckets = [1.0, 5.0, 10.0, 50.0, 100.0]`",
        }
    }

    fn in_seconds(self) -> &'static str {
        match self {
            BucketUnit::Seconds => " in seconds",
            BucketUnit::Metric => "",
        }
    }
}

/// Histogram buckets: a literal array (M043), not empty (M040), each bound positive and
/// finite (M041), strictly increasing (M042). Returns the bounds when they are all valid.
pub(crate) fn buckets(cx: &mut Ctxt, value: &syn::Expr, unit: BucketUnit) -> Option<Vec<f64>> {
    let array = match value {
        syn::Expr::Array(array) => array,
        syn::Expr::Group(group) => return buckets(cx, &group.expr, unit),
        syn::Expr::Paren(paren) => return buckets(cx, &paren.expr, unit),
        other => {
            let finding = Finding::new(
                Code::M043,
                format!(
                    "`buckets` takes a literal array of upper bounds{}: \
                     the bounds are checked at compile time",
                    unit.in_seconds()
                ),
            )
            .help(unit.example());
            report_spanned(cx, other, &finding);
            return None;
        }
    };
    let mut bounds: Vec<(f64, String)> = Vec::with_capacity(array.elems.len());
    let mut findings: Vec<(&syn::Expr, Finding)> = Vec::new();
    if array.elems.is_empty() {
        let finding = Finding::new(
            Code::M040,
            format!(
                "histogram buckets are empty: give at least one upper bound{}",
                unit.in_seconds()
            ),
        )
        .help(unit.example());
        report_spanned(cx, array, &finding);
        return None;
    }
    let mut all_numbers = true;
    for element in &array.elems {
        let text = source_text(element);
        let Some(value) = number(element) else {
            all_numbers = false;
            findings.push((
                element,
                Finding::new(
                    Code::M043,
                    format!(
                        "histogram bucket `{text}` is not a number literal: the bounds are \
                         checked at compile time, so write them out, such as `0.25` or `1`"
                    ),
                ),
            ));
            continue;
        };
        if value.is_nan() {
            findings.push((
                element,
                Finding::new(
                    Code::M041,
                    format!(
                        "histogram bucket `{text}` is not a number: give a bound{}",
                        unit.in_seconds()
                    ),
                )
                .help("remove it"),
            ));
            continue;
        }
        if !value.is_finite() {
            findings.push((
                element,
                Finding::new(
                    Code::M041,
                    format!(
                        "histogram bucket `{text}` is not finite: the `+Inf` bucket is \
                         added by Prometheus itself"
                    ),
                )
                .help("remove it"),
            ));
            continue;
        }
        if value <= 0.0 {
            findings.push((
                element,
                Finding::new(
                    Code::M041,
                    match unit {
                        BucketUnit::Seconds => format!(
                            "histogram bucket `{text}` is not positive: bounds are durations \
                             in seconds, each greater than 0"
                        ),
                        BucketUnit::Metric => format!(
                            "histogram bucket `{text}` is not positive: each bound must be \
                             greater than 0"
                        ),
                    },
                )
                .help("remove it; the first bucket counts everything up to its bound"),
            ));
            continue;
        }
        if let Some((previous, previous_text)) = bounds.last()
            && value <= *previous
        {
            findings.push((
                element,
                Finding::new(
                    Code::M042,
                    format!(
                        "histogram buckets must be strictly increasing: `{text}` follows \
                             `{previous_text}`"
                    ),
                ),
            ));
        }
        bounds.push((value, text));
    }
    if findings.is_empty() {
        return Some(bounds.into_iter().map(|(value, _)| value).collect());
    }
    let suggestion = all_numbers.then(|| sorted(&bounds)).flatten();
    for (element, mut finding) in findings {
        if finding.code == Code::M042
            && let Some(suggestion) = &suggestion
        {
            finding = finding.help(format!("use `{suggestion}`"));
        }
        report_spanned(cx, element, &finding);
    }
    None
}

/// A business histogram named `name` without `buckets` (M044): only durations in
/// seconds have default bounds (those of `#[monitored]`, 100 µs to 10 s); bounds
/// made for seconds would put every value of another unit (bytes, euros, items) in
/// the last buckets.
pub(crate) fn missing_buckets(name: &str) -> Option<Finding> {
    if name.ends_with("_seconds") {
        return None;
    }
    let unit = match name.rsplit_once('_') {
        Some((_, unit)) if !unit.is_empty() => unit,
        _ => "the metric's unit",
    };
    Some(
        Finding::new(
            Code::M044,
            format!(
                "histogram `{name}` has no `buckets`: only a histogram of durations, named \
                 `..._seconds`, has default bounds (100 µs to 10 s), which would not fit \
                 its values"
            ),
        )
        .help(format!(
            "add `buckets = [...]` with bounds in {unit}, {}",
            BucketUnit::Metric.example()
        )),
    )
}

/// The valid bounds sorted and without repeats, as the user spelled them.
fn sorted(bounds: &[(f64, String)]) -> Option<String> {
    let mut bounds = bounds.to_vec();
    bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    bounds.dedup_by(|a, b| a.0 == b.0);
    let texts: Vec<&str> = bounds.iter().map(|(_, text)| text.as_str()).collect();
    (!texts.is_empty()).then(|| format!("[{}]", texts.join(", ")))
}

/// An element as the user wrote it, `-1.0` rather than `- 1.0`.
fn source_text(expr: &syn::Expr) -> String {
    match expr {
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => format!("-{}", source_text(expr)),
        other => other.to_token_stream().to_string().replace(" :: ", "::"),
    }
}

fn number(expr: &syn::Expr) -> Option<f64> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(lit),
            ..
        }) => lit.base10_parse().ok(),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(lit),
            ..
        }) => lit.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => number(expr).map(|v| -v),
        // Named so that the error can say what is wrong with them (M041).
        syn::Expr::Path(path) => {
            let segments: Vec<String> = path
                .path
                .segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .collect();
            match segments.as_slice() {
                [.., float, constant] if float == "f64" || float == "f32" => {
                    match constant.as_str() {
                        "INFINITY" => Some(f64::INFINITY),
                        "NEG_INFINITY" => Some(f64::NEG_INFINITY),
                        "NAN" => Some(f64::NAN),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        syn::Expr::Group(group) => number(&group.expr),
        syn::Expr::Paren(paren) => number(&paren.expr),
        _ => None,
    }
}

/// What `native` asks for, as generated code passes it to the runtime: the process
/// default's schema (`i8::MAX`), or a schema from -4 to 8.
pub(crate) type NativeSchema = i8;

/// `native` with the process default's schema (or the runtime's default, 3).
pub(crate) const NATIVE_DEFAULT: NativeSchema = i8::MAX;

/// `native` or `native(schema = N)` (M045: `N` an integer literal from -4 to 8).
/// Returns the setting when it is valid.
pub(crate) fn native(cx: &mut Ctxt, arg: &Arg) -> Option<NativeSchema> {
    match &arg.value {
        ArgValue::Flag => Some(NATIVE_DEFAULT),
        ArgValue::List(tokens) => native_schema(cx, tokens),
        ArgValue::Expr(_) => {
            native_takes_no_value(cx, arg);
            None
        }
    }
}

const NATIVE_USAGE: &str = "`native` or `native(schema = N)` with `N` from -4 (coarsest) to 8 \
                            (finest); `native` alone takes schema 3, 8 buckets per doubling";

/// M045 for `native = ...`, spanned on `tokens`.
pub(crate) fn native_takes_no_value(cx: &mut Ctxt, tokens: impl ToTokens) {
    let finding = Finding::new(Code::M045, "`native` takes no value").help(NATIVE_USAGE);
    report_spanned(cx, tokens, &finding);
}

/// The schema of `native(schema = N)`, given the tokens inside the parentheses
/// (M045).
pub(crate) fn native_schema(
    cx: &mut Ctxt,
    tokens: &proc_macro2::TokenStream,
) -> Option<NativeSchema> {
    use syn::parse::Parser as _;
    let parsed =
        syn::punctuated::Punctuated::<syn::MetaNameValue, syn::Token![,]>::parse_terminated
            .parse2(tokens.clone());
    let arguments = match parsed {
        Ok(arguments) => arguments,
        Err(error) => {
            let finding = Finding::new(
                Code::M045,
                format!("`native(...)` could not be read: {error}"),
            )
            .help(NATIVE_USAGE);
            report_spanned(cx, tokens, &finding);
            return None;
        }
    };
    let mut schema = None;
    for argument in &arguments {
        if !argument.path.is_ident("schema") || schema.is_some() {
            let finding = Finding::new(
                Code::M045,
                format!(
                    "unexpected `{}` in `native(...)`: it takes one `schema = N`",
                    argument.path.to_token_stream()
                ),
            )
            .help(NATIVE_USAGE);
            report_spanned(cx, &argument.path, &finding);
            return None;
        }
        let value = integer(&argument.value);
        match value {
            Some(value) if (-4..=8).contains(&value) => schema = Some(value as i8),
            _ => {
                let finding = Finding::new(
                    Code::M045,
                    format!(
                        "native histogram schema `{}` is not an integer from -4 to 8: \
                         Prometheus defines schemas -4 (a factor of 65 536 between bounds) \
                         to 8 (256 buckets per doubling)",
                        argument.value.to_token_stream()
                    ),
                )
                .help("use `native(schema = 3)` (about 9 % wide buckets), or `native` alone");
                report_spanned(cx, &argument.value, &finding);
                return None;
            }
        }
    }
    Some(schema.unwrap_or(NATIVE_DEFAULT))
}

/// An integer literal, possibly negative.
fn integer(value: &syn::Expr) -> Option<i64> {
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) => int.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => integer(expr).map(|value| -value),
        syn::Expr::Group(group) => integer(&group.expr),
        _ => None,
    }
}
