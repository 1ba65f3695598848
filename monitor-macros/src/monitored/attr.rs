//! Parsing of `#[monitored(...)]` arguments.

use syn::{Expr, Ident, Lit, LitStr};

use super::objective::{self, ObjectiveArgs};
use crate::naming::{self, BucketUnit};
use crate::support::Ctxt;
use crate::support::args::{ArgValue, Arguments, crate_path, flag, string};

const KNOWN: &[&str] = &[
    "name",
    "buckets",
    "native",
    "span",
    "skip",
    "future",
    "error_if",
    "objective",
    "crate",
];

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
    pub(crate) skip: Option<Ident>,
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
    let mut arguments = Arguments::new("`#[monitored]`", KNOWN, ARGUMENTS);
    let mut args = MonitoredArgs::default();
    for arg in arguments.read(cx, tokens) {
        let key = arg.name();
        match (key.as_str(), &arg.value) {
            ("name", ArgValue::Expr(value)) => match string(value) {
                Some(lit) => {
                    naming::check_label_value(cx, lit, "function");
                    args.name = Some(lit.clone());
                }
                None => cx.error_spanned_by(
                    value,
                    "`name` takes a string literal, e.g. `name = \"checkout\"`",
                ),
            },
            ("buckets", ArgValue::Expr(value)) => {
                args.buckets = naming::buckets(cx, value, BucketUnit::Seconds)
            }
            ("native", _) => args.native = naming::native(cx, &arg),
            ("span", ArgValue::Expr(value)) => args.span = span_setting(cx, value),
            ("skip", ArgValue::Flag) => args.skip = Some(arg.key.clone()),
            ("future", ArgValue::Flag) => args.future = Some(true),
            ("future", ArgValue::Expr(value)) => args.future = flag(cx, "future", value),
            ("crate", ArgValue::Expr(value)) => args.krate = crate_path(cx, Some(value), value),
            ("objective", ArgValue::List(tokens)) => {
                args.objective = objective::parse(cx, &arg, tokens.clone())
            }
            ("objective", _) => cx.error_spanned_by(
                &arg,
                "`objective` takes a list: `objective(success = 0.999, latency = \"250ms\", \
                 latency_share = 0.99)`",
            ),
            ("error_if", ArgValue::Expr(value)) => match value {
                Expr::Path(path) if path.qself.is_none() => args.error_if = Some(path.path.clone()),
                other => cx.error_spanned_by(
                    other,
                    "`error_if` takes the path of a function `fn(&T) -> bool` over the returned \
                     value, e.g. `error_if = is_server_error`",
                ),
            },
            ("skip", _) => {
                cx.error_spanned_by(&arg, "`skip` takes no value: write `#[monitored(skip)]`")
            }
            ("future", _) => cx.error_spanned_by(
                &arg,
                "`future` takes `true` or `false`, or stands alone for `true`",
            ),
            _ => cx.error_spanned_by(
                &arg,
                format!("`{key}` takes a value: `{key} = ...`; expected one of {ARGUMENTS}"),
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
