//! `alert(...)` of a business metric: an alert declared next to the metric, checked
//! at compile time (M072–M074, durations M050–M052) and placed in the runtime's
//! link-time slice of business alerts.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, LitStr};

use crate::naming::alerts::{self, AlertCondition};
use crate::naming::{self, MetricKind};
use crate::support::Ctxt;
use crate::support::args::{ArgValue, Arguments, string};

const KNOWN: &[&str] = &[
    "rate_above",
    "rate_below",
    "above",
    "below",
    "over",
    "for",
    "severity",
    "name",
];

const ARGUMENTS: &str = "`rate_above = N`, `rate_below = N` (counters, per second), \
     `above = N`, `below = N` (gauges), `over = \"5m\"`, `for = \"2m\"`, \
     `severity = \"critical\" | \"warning\"`, `name = \"...\"`";

/// One `alert(...)`, validated.
pub(crate) struct AlertArgs {
    condition: AlertCondition,
    value: f64,
    window_millis: u64,
    for_millis: u64,
    critical: bool,
    name: String,
}

/// Parses the tokens of one `alert(...)` of a metric of kind `kind`; `key` is the
/// `alert` keyword, for errors about the whole. `None` after an error (reported).
pub(crate) fn parse(
    cx: &mut Ctxt,
    key: &Ident,
    tokens: TokenStream,
    kind: MetricKind,
) -> Option<AlertArgs> {
    let mut local = Ctxt::default();
    let parsed = parse_into(&mut local, key, tokens, kind);
    let failed = local.has_errors();
    cx.append(local);
    parsed.filter(|_| !failed)
}

fn parse_into(
    cx: &mut Ctxt,
    key: &Ident,
    tokens: TokenStream,
    kind: MetricKind,
) -> Option<AlertArgs> {
    let mut arguments = Arguments::new("`alert(...)`", KNOWN, ARGUMENTS);
    let mut conditions: Vec<(AlertCondition, Ident, Option<f64>)> = Vec::new();
    let mut window = std::time::Duration::from_secs(300);
    let mut for_ = std::time::Duration::ZERO;
    let mut critical = false;
    let mut name = String::new();
    for arg in arguments.read(cx, tokens) {
        let text = arg.name();
        let ArgValue::Expr(expr) = arg.value else {
            cx.error_spanned_by(
                &arg.key,
                format!("`{text}` takes a value: `{text} = ...`; expected one of {ARGUMENTS}"),
            );
            continue;
        };
        let arg = arg.key;
        if let Some(condition) = AlertCondition::from_key(&text) {
            let value = alerts::threshold(cx, &text, &expr);
            conditions.push((condition, arg, value));
            continue;
        }
        match text.as_str() {
            "over" => {
                if let Some(duration) = naming::duration_argument(cx, "over", &expr) {
                    window = duration;
                }
            }
            "for" => {
                // `for = "0s"` is not an error: zero means at once.
                match string(&expr) {
                    Some(lit) if lit.value().trim() == "0s" || lit.value().trim() == "0" => {}
                    _ => {
                        if let Some(duration) = naming::duration_argument(cx, "for", &expr) {
                            for_ = duration;
                        }
                    }
                }
            }
            "severity" => {
                if let Some(is_critical) = alerts::severity(cx, &expr) {
                    critical = is_critical;
                }
            }
            "name" => match string(&expr) {
                Some(lit) => name = alert_name(cx, lit).unwrap_or_default(),
                None => cx.error_spanned_by(
                    &expr,
                    "`name` takes a string literal, e.g. `name = \"LoginFailureSpike\"`",
                ),
            },
            // Every other accepted argument is a condition, read above.
            _ => {}
        }
    }
    if conditions.len() != 1 {
        match conditions.get(1) {
            Some((_, second, _)) => alerts::one_condition(cx, second, conditions.len()),
            None => alerts::one_condition(cx, key, 0),
        }
        return None;
    }
    let (condition, arg, value) = conditions.pop().expect("one condition");
    if !alerts::condition_fits(cx, condition, kind, &arg) {
        return None;
    }
    Some(AlertArgs {
        condition,
        value: value?,
        window_millis: u64::try_from(window.as_millis()).unwrap_or(u64::MAX),
        for_millis: u64::try_from(for_.as_millis()).unwrap_or(u64::MAX),
        critical,
        name,
    })
}

/// An alert name: Prometheus' label value rules for `alertname` are those of a
/// metric name without colons.
fn alert_name(cx: &mut Ctxt, lit: &LitStr) -> Option<String> {
    let name = lit.value();
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Some(name)
    } else {
        cx.error_spanned_by(
            lit,
            format!(
                "alert name `{name}` is not an identifier: use letters, digits and `_`, such \
                 as `LoginFailureSpike`"
            ),
        );
        None
    }
}

/// The alerts' sites in the runtime's link-time slice, named after `site`.
pub(crate) fn sites(
    private: &TokenStream,
    metric: &LitStr,
    alerts: &[AlertArgs],
    site: &Ident,
) -> TokenStream {
    let statics = alerts.iter().enumerate().map(|(index, alert)| {
        let value_ident = format_ident!("{}_ALERT_{}", site, index, span = Span::call_site());
        let registration = format_ident!("{}_ALERT_REGISTRATION_{}", site, index);
        let kind = match alert.condition {
            AlertCondition::RateAbove => quote!(RateAbove),
            AlertCondition::RateBelow => quote!(RateBelow),
            AlertCondition::Above => quote!(GaugeAbove),
            AlertCondition::Below => quote!(GaugeBelow),
        };
        let AlertArgs {
            value,
            window_millis,
            for_millis,
            critical,
            name,
            ..
        } = alert;
        quote! {
            static #value_ident: #private::BusinessAlertSite = #private::BusinessAlertSite::new(
                #metric,
                #private::BusinessAlertKind::#kind,
                #value,
                #window_millis,
                #for_millis,
                #critical,
                #name,
            );
            #[#private::linkme::distributed_slice(#private::BUSINESS_ALERTS)]
            #[linkme(crate = #private::linkme)]
            static #registration: &'static #private::BusinessAlertSite = &#value_ident;
        }
    });
    quote!(#(#statics)*)
}
