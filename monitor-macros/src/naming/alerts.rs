//! Objective and alert rules (M070–M074): ratios, targets, conditions that fit the
//! metric, thresholds and severities, each spanned on what the user wrote.

use quote::ToTokens;

use super::report::report_spanned;
use super::rules::{Code, Finding};
use super::vocabulary::MetricKind;
use crate::support::Ctxt;

/// A number literal (`0.99`, `5`, `-1.5`), whatever it is written as; `None` for
/// anything else.
fn number(value: &syn::Expr) -> Option<f64> {
    match value {
        syn::Expr::Lit(syn::ExprLit { lit, .. }) => match lit {
            syn::Lit::Float(float) => float.base10_parse().ok(),
            syn::Lit::Int(int) => int.base10_parse().ok(),
            _ => None,
        },
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => number(expr).map(|n| -n),
        syn::Expr::Group(group) => number(&group.expr),
        syn::Expr::Paren(paren) => number(&paren.expr),
        _ => None,
    }
}

fn text(value: &impl ToTokens) -> String {
    value.to_token_stream().to_string().replace(' ', "")
}

/// A ratio such as `success = 0.999`: a number literal strictly between 0 and 1
/// (M070).
pub(crate) fn ratio(cx: &mut Ctxt, key: &str, value: &syn::Expr) -> Option<f64> {
    match number(value) {
        Some(ratio) if ratio > 0.0 && ratio < 1.0 => Some(ratio),
        Some(_) => {
            let finding = Finding::new(
                Code::M070,
                format!(
                    "`{key} = {}` is not a ratio in (0, 1): objectives are written as shares \
                     of calls, 99.9 % is `0.999`",
                    text(value)
                ),
            )
            .help(format!("e.g. `{key} = 0.999`"));
            report_spanned(cx, value, &finding);
            None
        }
        None => {
            let finding = Finding::new(
                Code::M070,
                format!(
                    "`{key}` takes a number literal in (0, 1), not `{}`: it is checked at \
                     compile time",
                    text(value)
                ),
            )
            .help(format!("e.g. `{key} = 0.99`"));
            report_spanned(cx, value, &finding);
            None
        }
    }
}

/// An objective with no target (M071): `spanned` is the `objective(...)` argument.
pub(crate) fn missing_target(cx: &mut Ctxt, spanned: &impl ToTokens) {
    let finding = Finding::new(
        Code::M071,
        "an objective needs a target: a success ratio, a latency threshold with the share \
         of calls that meet it, or both",
    )
    .help("e.g. `objective(success = 0.999)` or `objective(latency = \"250ms\", latency_share = 0.99)`");
    report_spanned(cx, spanned, &finding);
}

/// `latency` without `latency_share` or the other way round (M071), spanned on
/// the one given.
pub(crate) fn half_latency_target(cx: &mut Ctxt, given: &impl ToTokens, given_key: &str) {
    let (missing, example) = if given_key == "latency" {
        ("latency_share", "latency_share = 0.99")
    } else {
        ("latency", "latency = \"250ms\"")
    };
    let finding = Finding::new(
        Code::M071,
        format!(
            "`{given_key}` needs `{missing}`: a latency objective is a threshold and the share \
             of calls that meet it"
        ),
    )
    .help(format!("add `{example}`"));
    report_spanned(cx, given, &finding);
}

/// What a business alert compares, for the M072 check.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlertCondition {
    RateAbove,
    RateBelow,
    Above,
    Below,
}

impl AlertCondition {
    pub(crate) fn key(self) -> &'static str {
        match self {
            AlertCondition::RateAbove => "rate_above",
            AlertCondition::RateBelow => "rate_below",
            AlertCondition::Above => "above",
            AlertCondition::Below => "below",
        }
    }

    pub(crate) fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "rate_above" => AlertCondition::RateAbove,
            "rate_below" => AlertCondition::RateBelow,
            "above" => AlertCondition::Above,
            "below" => AlertCondition::Below,
            _ => return None,
        })
    }
}

/// A condition that does not fit the metric's kind (M072): a rate of a gauge, a
/// value of a counter, anything on a histogram.
pub(crate) fn condition_fits(
    cx: &mut Ctxt,
    condition: AlertCondition,
    kind: MetricKind,
    spanned: &impl ToTokens,
) -> bool {
    use MetricKind::{Counter, Gauge, Histogram};
    let rate = matches!(
        condition,
        AlertCondition::RateAbove | AlertCondition::RateBelow
    );
    let message = match (kind, rate) {
        (Counter, true) | (Gauge, false) => return true,
        (Counter, false) => format!(
            "`{}` compares a gauge's value, and this metric is a counter, which only grows",
            condition.key()
        ),
        (Gauge, true) => format!(
            "`{}` compares a counter's rate, and this metric is a gauge",
            condition.key()
        ),
        (Histogram, _) => "alerts on histograms are not supported here: alert on a counter's \
                           rate or a gauge's value"
            .to_owned(),
    };
    let help = match kind {
        Counter => "use `rate_above = N` or `rate_below = N` (per second), with `over = \"5m\"`",
        Gauge => "use `above = N` or `below = N`",
        Histogram => {
            "declare an objective on the function instead: `#[monitored(objective(latency = ...))]`"
        }
    };
    report_spanned(cx, spanned, &Finding::new(Code::M072, message).help(help));
    false
}

/// An alert needs exactly one condition (M072), spanned on `spanned`.
pub(crate) fn one_condition(cx: &mut Ctxt, spanned: &impl ToTokens, found: usize) {
    let message = if found == 0 {
        "an alert needs a condition: `rate_above`, `rate_below` (counters), `above` or `below` \
         (gauges)"
            .to_owned()
    } else {
        "an alert takes one condition; declare another `alert(...)` for a second one".to_owned()
    };
    report_spanned(
        cx,
        spanned,
        &Finding::new(Code::M072, message).help("e.g. `alert(rate_above = 10, over = \"5m\")`"),
    );
}

/// An alert threshold: a finite number literal, not negative (M073).
pub(crate) fn threshold(cx: &mut Ctxt, key: &str, value: &syn::Expr) -> Option<f64> {
    match number(value) {
        Some(threshold) if threshold.is_finite() && threshold >= 0.0 => Some(threshold),
        found => {
            let message = match found {
                Some(_) => format!(
                    "alert threshold `{key} = {}` is negative: rates and business values are \
                     never below 0",
                    text(value)
                ),
                None => format!(
                    "`{key}` takes a number literal, not `{}`: the threshold is checked at \
                     compile time",
                    text(value)
                ),
            };
            report_spanned(
                cx,
                value,
                &Finding::new(Code::M073, message).help(format!("e.g. `{key} = 10`")),
            );
            None
        }
    }
}

/// A severity: `"critical"` (page) or `"warning"` (ticket) (M074). Whether it is
/// critical.
pub(crate) fn severity(cx: &mut Ctxt, value: &syn::Expr) -> Option<bool> {
    if let Some(lit) = crate::support::args::string(value) {
        match lit.value().as_str() {
            "critical" => return Some(true),
            "warning" => return Some(false),
            _ => {}
        }
    }
    let finding = Finding::new(
        Code::M074,
        format!(
            "unknown severity {}: Alertmanager routes `critical` to the pager and `warning` \
             to a ticket or chat",
            text(value)
        ),
    )
    .help("use `severity = \"critical\"` or `severity = \"warning\"`");
    report_spanned(cx, value, &finding);
    None
}
