//! Parsing of `#[monitored(...)]` arguments.

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, LitStr, Meta, Token};

use super::objective::{self, ObjectiveArgs};
use crate::naming::{self, BucketUnit};
use crate::support::Ctxt;
use crate::support::args::{crate_path, flag, meta_key, string};

const ARGUMENTS: &str = "`name = \"...\"`, `buckets = [...]`, `native`, `span = ...`, `skip`, \
     `future`, `error_if = path`, `objective(...)`, `crate = \"...\"`";

/// What the user wrote in `#[monitored(...)]`. Every field keeps the tokens it came
/// from so that errors can point at them.
#[derive(Default, Clone)]
pub(crate) struct MonitoredArgs {
    /// `name = "..."`: the `function` label value.
    pub(crate) name: Option<LitStr>,
    /// `buckets = [...]`: validated histogram bounds.
    pub(crate) buckets: Option<Vec<f64>>,
    /// `native` / `native(schema = N)`: native histogram buckets.
    pub(crate) native: Option<naming::NativeSchema>,
    /// `span = false | true | "level"`.
    pub(crate) span: Option<SpanSetting>,
    /// `skip`: leave this method of a monitored `impl` block alone.
    pub(crate) skip: Option<syn::Path>,
    /// `future` / `future = false`: the return type is (is not) a boxed future the
    /// macro cannot see (an alias, `Self::Future`).
    pub(crate) future: Option<bool>,
    /// `crate = "..."`: path of the runtime crate when it is renamed.
    pub(crate) krate: Option<syn::Path>,
    /// `error_if = path`: a `fn(&T) -> bool` that classifies the returned value.
    pub(crate) error_if: Option<syn::Path>,
    /// `objective(...)`: a service level objective of this function (not inherited
    /// by the methods of a monitored `impl` block: each objective has its own name).
    pub(crate) objective: Option<ObjectiveArgs>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpanSetting {
    Off,
    Level(Level),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl MonitoredArgs {
    /// Arguments of a method inside a monitored `impl` block: the method's own win.
    pub(crate) fn merged_over(self, outer: &MonitoredArgs) -> MonitoredArgs {
        MonitoredArgs {
            name: self.name,
            buckets: self.buckets.or_else(|| outer.buckets.clone()),
            native: self.native.or(outer.native),
            objective: self.objective,
            span: self.span.or(outer.span),
            skip: self.skip,
            future: self.future.or(outer.future),
            krate: self.krate.or_else(|| outer.krate.clone()),
            error_if: self.error_if.or_else(|| outer.error_if.clone()),
        }
    }
}

pub(crate) fn parse_monitored(cx: &mut Ctxt, tokens: proc_macro2::TokenStream) -> MonitoredArgs {
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(metas) => metas,
        Err(error) => {
            cx.push(error);
            return MonitoredArgs::default();
        }
    };
    let mut args = MonitoredArgs::default();
    let mut seen: Vec<String> = Vec::new();
    for meta in metas {
        let key = meta_key(&meta);
        if seen.contains(&key) {
            cx.error_spanned_by(
                meta.path(),
                format!("expected only a single `{key}` argument"),
            );
            continue;
        }
        seen.push(key.clone());
        match (key.as_str(), &meta) {
            ("name", Meta::NameValue(nv)) => match string(&nv.value) {
                Some(lit) => {
                    naming::check_label_value(cx, lit, "function");
                    args.name = Some(lit.clone());
                }
                None => cx.error_spanned_by(
                    &nv.value,
                    "`name` takes a string literal, e.g. `name = \"checkout\"`",
                ),
            },
            ("buckets", Meta::NameValue(nv)) => {
                args.buckets = naming::buckets(cx, &nv.value, BucketUnit::Seconds)
            }
            ("native", meta) => args.native = naming::native(cx, meta),
            ("span", Meta::NameValue(nv)) => args.span = span_setting(cx, &nv.value),
            ("skip", Meta::Path(path)) => args.skip = Some(path.clone()),
            ("future", Meta::Path(_)) => args.future = Some(true),
            ("future", Meta::NameValue(nv)) => args.future = flag(cx, "future", &nv.value),
            ("crate", Meta::NameValue(nv)) => {
                args.krate = crate_path(cx, Some(&nv.value), &nv.value)
            }
            ("objective", Meta::List(list)) => {
                args.objective = objective::parse(cx, &meta, list.tokens.clone())
            }
            ("objective", _) => cx.error_spanned_by(
                &meta,
                "`objective` takes a list: `objective(success = 0.999, latency = \"250ms\", \
                 latency_share = 0.99)`",
            ),
            ("error_if", Meta::NameValue(nv)) => match &nv.value {
                Expr::Path(path) if path.qself.is_none() => args.error_if = Some(path.path.clone()),
                other => cx.error_spanned_by(
                    other,
                    "`error_if` takes the path of a function `fn(&T) -> bool` over the returned \
                     value, e.g. `error_if = is_server_error`",
                ),
            },
            ("name" | "buckets" | "span" | "crate" | "error_if", _) => cx.error_spanned_by(
                &meta,
                format!("`{key}` takes a value: `{key} = ...`; expected one of {ARGUMENTS}"),
            ),
            ("skip", _) => {
                cx.error_spanned_by(&meta, "`skip` takes no value: write `#[monitored(skip)]`")
            }
            _ => cx.error_spanned_by(
                meta.path(),
                format!("unknown `#[monitored]` argument `{key}`; expected one of {ARGUMENTS}"),
            ),
        }
    }
    args
}

impl MonitoredArgs {
    /// The histogram bounds: those given (the runtime's defaults when `None`), with
    /// the latency threshold of an objective added when it is not one of them.
    pub(crate) fn histogram_buckets(&self) -> Option<Vec<f64>> {
        if self.native.is_some() && self.buckets.is_none() && self.objective.is_none() {
            // `native` alone: native buckets only.
            return None;
        }
        match &self.objective {
            Some(goal) => objective::buckets_with_threshold(self.buckets.as_deref(), goal)
                .or_else(|| self.buckets.clone()),
            None => self.buckets.clone(),
        }
    }

    /// Whether the histogram keeps classic buckets: always, but for `native` alone
    /// (an objective's latency target needs its threshold as a classic bound).
    pub(crate) fn classic_buckets(&self) -> bool {
        self.native.is_none() || self.buckets.is_some() || self.objective.is_some()
    }
}

fn span_setting(cx: &mut Ctxt, value: &Expr) -> Option<SpanSetting> {
    const HELP: &str = "`span` takes `false`, `true`, or a level: \"trace\", \"debug\", \"info\", \"warn\" or \"error\"";
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Bool(flag),
            ..
        }) => Some(if flag.value {
            SpanSetting::Level(Level::Info)
        } else {
            SpanSetting::Off
        }),
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => {
            let level = match lit.value().to_ascii_lowercase().as_str() {
                "trace" => Level::Trace,
                "debug" => Level::Debug,
                "info" => Level::Info,
                "warn" => Level::Warn,
                "error" => Level::Error,
                _ => {
                    cx.error_spanned_by(
                        lit,
                        format!("unknown span level `{}`; {HELP}", lit.value()),
                    );
                    return None;
                }
            };
            Some(SpanSetting::Level(level))
        }
        other => {
            cx.error_spanned_by(other, HELP);
            None
        }
    }
}
