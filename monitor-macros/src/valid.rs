//! Compile-time validation of values given to the macros.

use syn::spanned::Spanned;

use crate::ctxt::Ctxt;

/// Histogram buckets: at least one, each positive and finite, strictly increasing.
/// Returns the bounds when they are all valid.
pub(crate) fn buckets(cx: &mut Ctxt, array: &syn::ExprArray) -> Option<Vec<f64>> {
    let mut bounds = Vec::with_capacity(array.elems.len());
    let mut valid = true;
    if array.elems.is_empty() {
        cx.error_spanned_by(
            array,
            "histogram buckets are empty: give at least one upper bound, e.g. `buckets = [0.01, 0.1, 1.0]` [M040]",
        );
        return None;
    }
    for element in &array.elems {
        let Some(value) = number(element) else {
            cx.error_spanned_by(
                element,
                "a histogram bucket must be a number literal, such as `0.25` or `1` [M040]",
            );
            valid = false;
            continue;
        };
        if !value.is_finite() || value <= 0.0 {
            cx.push(syn::Error::new(
                element.span(),
                format!(
                    "histogram bucket `{value}` must be positive and finite; \
                     `+Inf` is added by Prometheus itself [M041]"
                ),
            ));
            valid = false;
        } else if let Some(&previous) = bounds.last() {
            if value <= previous {
                cx.push(syn::Error::new(
                    element.span(),
                    format!(
                        "histogram buckets must be strictly increasing: `{value}` follows `{previous}` [M042]"
                    ),
                ));
                valid = false;
            }
        }
        if value.is_finite() && value > 0.0 {
            bounds.push(value);
        }
    }
    valid.then_some(bounds)
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
        syn::Expr::Group(group) => number(&group.expr),
        syn::Expr::Paren(paren) => number(&paren.expr),
        _ => None,
    }
}
