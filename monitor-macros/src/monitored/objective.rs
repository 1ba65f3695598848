//! `objective(...)` of `#[monitored]`: a service level objective of the function,
//! checked at compile time (M070, M071, durations M050–M052) and placed in the
//! runtime's link-time slice of objectives.

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

use crate::naming::{self, alerts};
use crate::support::Ctxt;
use crate::support::args::{Arg, ArgValue, Arguments, string};

const KNOWN: &[&str] = &["success", "latency", "latency_share", "period", "name"];

const ARGUMENTS: &str = "`success = 0.999`, `latency = \"250ms\"`, `latency_share = 0.99`, \
     `period = \"30d\"`, `name = \"...\"`";

/// The default histogram bounds of `#[monitored]` (the runtime's `DEFAULT_BUCKETS`,
/// 100 µs to 10 s; `tests/tests/alerts_annotations.rs` keeps the two equal): a
/// latency threshold is added to them.
const DEFAULT_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0,
    5.0, 10.0,
];

/// What `objective(...)` says, validated.
#[derive(Clone)]
pub(crate) struct ObjectiveArgs {
    /// `name = "..."`: the `objective` label; the function label when absent.
    pub(crate) name: Option<LitStr>,
    pub(crate) success: Option<f64>,
    /// Threshold in seconds and share of calls within it.
    pub(crate) latency: Option<(f64, f64)>,
    /// `period = "..."`, 30 days by default.
    pub(crate) period_seconds: u64,
}

/// Parses the tokens inside `objective(...)`; `None` after an error (reported).
pub(crate) fn parse(outer: &mut Ctxt, whole: &Arg, tokens: TokenStream) -> Option<ObjectiveArgs> {
    let mut local = Ctxt::default();
    let parsed = parse_into(&mut local, whole, tokens);
    let failed = local.has_errors();
    outer.append(local);
    parsed.filter(|_| !failed)
}

fn parse_into(cx: &mut Ctxt, whole: &Arg, tokens: TokenStream) -> Option<ObjectiveArgs> {
    let mut arguments = Arguments::new("`objective(...)`", KNOWN, ARGUMENTS);
    let args = arguments.read(cx, tokens);
    let mut name = None;
    let mut success = None;
    let mut latency: Option<(std::time::Duration, &Arg)> = None;
    let mut share: Option<(f64, &Arg)> = None;
    let mut period = std::time::Duration::from_secs(30 * 86_400);
    for arg in &args {
        let key = arg.name();
        let ArgValue::Expr(value) = &arg.value else {
            cx.error_spanned_by(
                arg,
                format!("`objective` takes `key = value` arguments: {ARGUMENTS}"),
            );
            continue;
        };
        match key.as_str() {
            "name" => match string(value) {
                Some(lit) => {
                    naming::check_label_value(cx, lit, "objective");
                    name = Some(lit.clone());
                }
                None => cx.error_spanned_by(
                    value,
                    "`name` takes a string literal, e.g. `name = \"checkout\"`",
                ),
            },
            "success" => success = alerts::ratio(cx, "success", value),
            "latency_share" => {
                if let Some(ratio) = alerts::ratio(cx, "latency_share", value) {
                    share = Some((ratio, arg));
                }
            }
            "latency" => {
                if let Some(threshold) = naming::duration_argument(cx, "latency", value) {
                    latency = Some((threshold, arg));
                }
            }
            _ => {
                if let Some(duration) = naming::duration_argument(cx, "period", value) {
                    period = duration;
                }
            }
        }
    }
    let latency = match (latency, share) {
        (Some((threshold, _)), Some((share, _))) => Some((threshold.as_secs_f64(), share)),
        (Some((_, given)), None) if !arguments.seen("latency_share") => {
            alerts::half_latency_target(cx, given, "latency");
            None
        }
        (None, Some((_, given))) if !arguments.seen("latency") => {
            alerts::half_latency_target(cx, given, "latency_share");
            None
        }
        _ => None,
    };
    if success.is_none()
        && latency.is_none()
        && !["success", "latency", "latency_share"]
            .iter()
            .any(|key| arguments.seen(key))
    {
        alerts::missing_target(cx, whole);
    }
    Some(ObjectiveArgs {
        name,
        success,
        latency,
        period_seconds: period.as_secs().max(1),
    })
}

/// The histogram bounds with the latency threshold among them: `buckets` (the
/// default ones when `None`) and the threshold, sorted. `None` when nothing
/// changes.
pub(crate) fn buckets_with_threshold(
    buckets: Option<&[f64]>,
    objective: &ObjectiveArgs,
) -> Option<Vec<f64>> {
    let (threshold, _) = objective.latency?;
    let mut bounds = buckets.map_or_else(|| DEFAULT_BUCKETS.to_vec(), <[f64]>::to_vec);
    if bounds.iter().any(|bound| (bound - threshold).abs() < 1e-12) {
        return None;
    }
    bounds.push(threshold);
    bounds.sort_by(f64::total_cmp);
    Some(bounds)
}

/// The objective's site in the runtime's link-time slice.
pub(crate) fn site(private: &TokenStream, objective: &ObjectiveArgs, label: &str) -> TokenStream {
    let name = objective
        .name
        .as_ref()
        .map_or_else(|| label.to_owned(), LitStr::value);
    let period = objective.period_seconds;
    let success = objective
        .success
        .map(|ratio| quote!(.success(#ratio)))
        .unwrap_or_default();
    let latency = objective
        .latency
        .map(|(threshold, share)| quote!(.latency(#threshold, #share)))
        .unwrap_or_default();
    quote! {
        static __MONITOR_OBJECTIVE: #private::ObjectiveSite = #private::ObjectiveSite::new(
            #name,
            ::core::module_path!(),
            #label,
            #period,
            ::core::file!(),
            ::core::line!(),
        ) #success #latency;
        #[#private::linkme::distributed_slice(#private::OBJECTIVES)]
        #[linkme(crate = #private::linkme)]
        static __MONITOR_OBJECTIVE_REGISTRATION: &'static #private::ObjectiveSite =
            &__MONITOR_OBJECTIVE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objective(threshold: f64) -> ObjectiveArgs {
        ObjectiveArgs {
            name: None,
            success: None,
            latency: Some((threshold, 0.99)),
            period_seconds: 1,
        }
    }

    #[test]
    fn a_threshold_joins_the_buckets_when_it_is_not_one() {
        assert_eq!(
            buckets_with_threshold(Some(&[0.1, 1.0]), &objective(0.3)),
            Some(vec![0.1, 0.3, 1.0])
        );
        assert_eq!(
            buckets_with_threshold(Some(&[0.1, 1.0]), &objective(1.0)),
            None
        );
        let defaults = buckets_with_threshold(None, &objective(0.3)).unwrap();
        assert_eq!(defaults.len(), DEFAULT_BUCKETS.len() + 1);
        assert!(defaults.contains(&0.3));
        assert_eq!(buckets_with_threshold(None, &objective(0.25)), None);
    }
}
