//! Parsing of `#[business_metric(...)]` arguments and of `business_metrics!` entries.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Lit, LitStr, Token};

use super::alert::AlertArgs;
use crate::naming::{self, BucketUnit, MetricKind};
use crate::support::Ctxt;
use crate::support::args::{Arg, ArgValue, Arguments, closest, crate_path, parse_args};
use crate::support::function::AttrSpan;

const ATTRIBUTE_ARGUMENTS: &str = "`counter = \"...\"`, `gauge = \"...\"`, `histogram = \"...\"`, \
     `help = \"...\"`, `labels(...)`, `on = \"ok\" | \"error\" | \"always\"`, `amount = ...`, \
     `set = ...`, `inc`, `dec`, `observe = ...`, `buckets = [...]`, `native`, \
     `max_label_sets = N`, `alert(...)`, `crate = \"...\"`";

const DECLARATION_ARGUMENTS: &str = "`help = \"...\"`, `labels(...)`, `buckets = [...]`, \
     `native`, `max_label_sets = N`, `alert(...)`, `crate = \"...\"`";

/// A label: its name and where its value comes from.
pub(crate) struct Label {
    pub(crate) name: LabelName,
    pub(crate) source: LabelSource,
}

/// A label name as written: an identifier, or whatever the user wrote in its place
/// (`user-id`, `"user-id"`), kept so that the naming rules can say what to write.
pub(crate) struct LabelName {
    /// The name: the identifier without `r#`, the string's value, or the tokens
    /// joined without spaces.
    pub(crate) text: String,
    /// What was written, for errors to point at.
    pub(crate) tokens: TokenStream,
    /// The identifier, when the name is one.
    pub(crate) ident: Option<Ident>,
    /// The name is a string literal.
    pub(crate) quoted: bool,
}

pub(crate) enum LabelSource {
    /// `name = "literal"`: the same value at every update.
    Const(LitStr),
    /// `name = expression` (or `name` alone, for the argument of that name).
    Expr(Expr),
    /// `name` in `business_metrics!`: the value is given at each update.
    Given,
}

impl Label {
    pub(crate) fn name(&self) -> String {
        self.name.text.clone()
    }
}

/// When a function's metric is updated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum On {
    Ok,
    Error,
    Always,
}

/// What an update does.
pub(crate) enum Action {
    /// Counter: add the amount (1 without one).
    Count(Option<Expr>),
    /// Gauge: set to the value.
    Set(Expr),
    /// Gauge: add (1 without a value).
    Inc(Option<Expr>),
    /// Gauge: subtract (1 without a value).
    Dec(Option<Expr>),
    /// Histogram: observe the value.
    Observe(Expr),
}

/// Everything a declaration says about its metric.
pub(crate) struct MetricDecl {
    pub(crate) kind: MetricKind,
    pub(crate) name: LitStr,
    pub(crate) help: Option<LitStr>,
    pub(crate) labels: Vec<Label>,
    pub(crate) buckets: Option<Vec<f64>>,
    /// `native` / `native(schema = N)`: native histogram buckets.
    pub(crate) native: Option<naming::NativeSchema>,
    pub(crate) max_label_sets: Option<usize>,
    /// `alert(...)`, any number of them.
    pub(crate) alerts: Vec<AlertArgs>,
}

/// A `#[business_metric(...)]`.
pub(crate) struct BusinessArgs {
    pub(crate) metric: MetricDecl,
    pub(crate) on: On,
    pub(crate) action: Action,
    pub(crate) krate: Option<syn::Path>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Attribute,
    Declaration,
}

/// Options shared by both forms, and the attribute's own, collected before their
/// consistency with the kind is checked.
#[derive(Default)]
struct Options {
    kind: Option<(MetricKind, Ident, LitStr)>,
    help: Option<LitStr>,
    labels: Vec<Label>,
    labels_key: Option<Ident>,
    buckets: Option<(Ident, Option<Vec<f64>>)>,
    native: Option<(Ident, Option<naming::NativeSchema>)>,
    max_label_sets: Option<usize>,
    on: Option<On>,
    amount: Option<(Ident, Expr)>,
    set: Option<(Ident, Expr)>,
    inc: Option<(Ident, Option<Expr>)>,
    dec: Option<(Ident, Option<Expr>)>,
    observe: Option<(Ident, Expr)>,
    krate: Option<syn::Path>,
    /// `alert(...)` lists, parsed once the kind is known.
    alerts: Vec<(Ident, TokenStream)>,
    /// An argument was not understood: a missing metric is then not reported too.
    unknown: bool,
}

const DECLARATION_KEYS: &[&str] = &[
    "help",
    "labels",
    "buckets",
    "native",
    "max_label_sets",
    "alert",
    "crate",
];

const SUMMARY: &str = "summaries are not supported: use `histogram = \"...\"`, whose quantiles \
     Prometheus computes at query time";

/// The arguments each form accepts; a metric's kind (and its `alert(...)` lists)
/// may repeat, for the one-metric rule to explain.
fn arguments(form: Form) -> Arguments {
    match form {
        Form::Attribute => Arguments::new("`#[business_metric]`", KEYS, ATTRIBUTE_ARGUMENTS)
            .repeatable(&["counter", "gauge", "histogram", "alert"])
            .misplaced(|name| (name == "summary").then(|| SUMMARY.to_owned())),
        Form::Declaration => Arguments::new(
            "`business_metrics!`",
            DECLARATION_KEYS,
            DECLARATION_ARGUMENTS,
        )
        .repeatable(&["alert"])
        .misplaced(|name| match name {
            "summary" => Some(SUMMARY.to_owned()),
            "on" | "amount" | "set" | "observe" | "inc" | "dec" => Some(format!(
                "`{name}` belongs to `#[business_metric]` on a function; a metric declared \
                 with `business_metrics!` is updated through its handle (`.inc(...)`, \
                 `.set(...)`, `.observe(...)`)"
            )),
            "counter" | "gauge" | "histogram" => Some(
                "the kind and name of the metric come first: `counter NAME = \"...\", help = ...`"
                    .to_owned(),
            ),
            _ => None,
        }),
    }
}

const KEYS: &[&str] = &[
    "counter",
    "gauge",
    "histogram",
    "help",
    "labels",
    "on",
    "amount",
    "set",
    "inc",
    "dec",
    "observe",
    "buckets",
    "native",
    "max_label_sets",
    "alert",
    "crate",
];

fn kind_of(key: &str) -> Option<MetricKind> {
    match key {
        "counter" => Some(MetricKind::Counter),
        "gauge" => Some(MetricKind::Gauge),
        "histogram" => Some(MetricKind::Histogram),
        _ => None,
    }
}

fn kind_name(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter => "counter",
        MetricKind::Gauge => "gauge",
        MetricKind::Histogram => "histogram",
    }
}

fn collect_options(cx: &mut Ctxt, args: Vec<Arg>, form: Form) -> Options {
    let mut options = Options::default();
    let mut arguments = arguments(form);
    for arg in args {
        if !arguments.accept(cx, &arg) {
            continue;
        }
        let name = arg.name();
        let (key, value) = arg.into_parts();
        if let Some(kind) = kind_of(&name) {
            if let Some((first, _, _)) = &options.kind {
                cx.error_spanned_by(
                    &key,
                    format!(
                        "a `#[business_metric]` declares one metric, and this one is already a {}; \
                         add another `#[business_metric(...)]` for a second metric",
                        kind_name(*first)
                    ),
                );
                continue;
            }
            match string(&value) {
                Some(lit) => options.kind = Some((kind, key, lit.clone())),
                None => cx.error_spanned_by(
                    &key,
                    format!("`{name}` takes the metric name: `{name} = \"...\"`"),
                ),
            }
            continue;
        }
        if name == "alert" {
            match value {
                ArgValue::List(tokens) => options.alerts.push((key, tokens)),
                _ => cx.error_spanned_by(
                    &key,
                    "`alert` takes a list: `alert(rate_above = 10, over = \"5m\", severity = \
                     \"critical\")`",
                ),
            }
            continue;
        }
        match (name.as_str(), value) {
            ("help", value) => match string(&value) {
                Some(lit) => options.help = Some(lit.clone()),
                None => cx.error_spanned_by(
                    &key,
                    "`help` takes a string literal that says what the metric counts, e.g. \
                     `help = \"Completed sign-ups\"`",
                ),
            },
            ("labels", ArgValue::List(tokens)) => {
                options.labels = parse_labels(cx, tokens, form);
                options.labels_key = Some(key);
            }
            ("labels", _) => cx.error_spanned_by(
                &key,
                "`labels` takes a list: `labels(plan = plan.tier(), channel = \"web\")`",
            ),
            ("buckets", ArgValue::Expr(expr)) => {
                options.buckets = Some((key, naming::buckets(cx, &expr, BucketUnit::Metric)));
            }
            ("native", ArgValue::Flag) => options.native = Some((key, Some(naming::NATIVE_DEFAULT))),
            ("native", ArgValue::List(tokens)) => {
                let schema = naming::native_schema(cx, &tokens);
                options.native = Some((key, schema));
            }
            ("native", ArgValue::Expr(_)) => {
                naming::native_takes_no_value(cx, &key);
                options.native = Some((key, None));
            }
            ("max_label_sets", ArgValue::Expr(expr)) => match &expr {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Int(int), ..
                }) => match int.base10_parse::<usize>() {
                    Ok(0) | Err(_) => cx.error_spanned_by(
                        int,
                        "`max_label_sets` must be a positive integer",
                    ),
                    Ok(limit) => options.max_label_sets = Some(limit),
                },
                other => cx.error_spanned_by(
                    other,
                    "`max_label_sets` takes an integer literal, e.g. `max_label_sets = 5000`",
                ),
            },
            ("on", value) => match string(&value) {
                Some(lit) => match lit.value().as_str() {
                    "ok" => options.on = Some(On::Ok),
                    "error" => options.on = Some(On::Error),
                    "always" => options.on = Some(On::Always),
                    other => cx.error_spanned_by(
                        lit,
                        format!(
                            "unknown `on = \"{other}\"`; expected \"ok\" (the default: calls that \
                             returned `Ok` or a value that is not an error), \"error\" or \"always\""
                        ),
                    ),
                },
                None => cx.error_spanned_by(
                    &key,
                    "`on` takes \"ok\", \"error\" or \"always\", e.g. `on = \"error\"`",
                ),
            },
            ("amount", ArgValue::Expr(expr)) => options.amount = Some((key, expr)),
            ("set", ArgValue::Expr(expr)) => options.set = Some((key, expr)),
            ("observe", ArgValue::Expr(expr)) => options.observe = Some((key, expr)),
            ("inc", ArgValue::Expr(expr)) => options.inc = Some((key, Some(expr))),
            ("inc", ArgValue::Flag) => options.inc = Some((key, None)),
            ("dec", ArgValue::Expr(expr)) => options.dec = Some((key, Some(expr))),
            ("dec", ArgValue::Flag) => options.dec = Some((key, None)),
            ("amount" | "set" | "observe" | "inc" | "dec", _) => cx.error_spanned_by(
                &key,
                format!("`{name}` takes an expression: `{name} = ...`"),
            ),
            ("crate", value) => {
                let value = match &value {
                    ArgValue::Expr(expr) => Some(expr),
                    _ => None,
                };
                options.krate = crate_path(cx, value, &key);
            }
            // `buckets` and `max_label_sets` alone or with a list.
            _ => cx.error_spanned_by(
                &key,
                format!("`{name}` takes a value: `{name} = ...`"),
            ),
        }
    }
    options.unknown = arguments.rejected();
    options
}

fn string(value: &ArgValue) -> Option<&LitStr> {
    match value {
        ArgValue::Expr(expr) => crate::support::args::string(expr),
        _ => None,
    }
}

/// One entry of `labels(...)`: `name`, `name = "constant"` or `name = expression`.
struct LabelArg {
    name: LabelName,
    value: Option<Expr>,
}

impl Parse for LabelName {
    /// Everything up to the `=` or `,`: an identifier, or tokens the naming rules
    /// explain (`user-id`, `"user-id"`) rather than a parse error.
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut trees = Vec::new();
        while !input.is_empty() && !input.peek(Token![,]) && !input.peek(Token![=]) {
            trees.push(input.parse::<proc_macro2::TokenTree>()?);
        }
        let tokens: TokenStream = trees.iter().cloned().collect();
        match trees.as_slice() {
            [] => Err(input.error("expected a label name, e.g. `labels(plan = plan.tier())`")),
            [proc_macro2::TokenTree::Ident(ident)] => Ok(LabelName {
                text: ident.unraw().to_string(),
                tokens,
                ident: Some(ident.clone()),
                quoted: false,
            }),
            [proc_macro2::TokenTree::Literal(literal)] => {
                match syn::parse2::<LitStr>(literal.to_token_stream()) {
                    Ok(lit) => Ok(LabelName {
                        text: lit.value(),
                        tokens,
                        ident: None,
                        quoted: true,
                    }),
                    Err(_) => Ok(LabelName {
                        text: literal.to_string(),
                        tokens,
                        ident: None,
                        quoted: false,
                    }),
                }
            }
            _ => Ok(LabelName {
                text: trees.iter().map(ToString::to_string).collect(),
                tokens,
                ident: None,
                quoted: false,
            }),
        }
    }
}

impl Parse for LabelArg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(LabelArg { name, value })
    }
}

fn parse_labels(cx: &mut Ctxt, tokens: TokenStream, form: Form) -> Vec<Label> {
    let entries = match Punctuated::<LabelArg, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(entries) => entries,
        Err(error) => {
            cx.push(error);
            return Vec::new();
        }
    };
    entries
        .into_iter()
        .map(|LabelArg { name, value }| {
            let source = match value {
                Some(Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(lit), ..
                })) => LabelSource::Const(lit),
                Some(expr) if form == Form::Attribute => LabelSource::Expr(expr),
                Some(expr) => {
                    cx.error_spanned_by(
                        &expr,
                        "a label of `business_metrics!` is a name, whose value is given at each \
                         update, or `name = \"constant\"`",
                    );
                    LabelSource::Given
                }
                None if form == Form::Attribute => match &name.ident {
                    // `labels(plan)` reads the argument `plan`.
                    Some(ident) => {
                        LabelSource::Expr(syn::parse_quote_spanned!(ident.span()=> #ident))
                    }
                    // Not a name: reported by the naming rules.
                    None => LabelSource::Given,
                },
                None => LabelSource::Given,
            };
            Label { name, source }
        })
        .collect()
}

fn metric_decl(cx: &mut Ctxt, kind: MetricKind, name: LitStr, options: &mut Options) -> MetricDecl {
    match (kind, &options.native) {
        (MetricKind::Histogram, _) | (_, None) => {}
        (_, Some((key, _))) => cx.error_spanned_by(
            key,
            format!(
                "`native` applies to histograms; this metric is a {}",
                kind_name(kind)
            ),
        ),
    }
    match (kind, &options.buckets) {
        // Native buckets need no bounds.
        (MetricKind::Histogram, None) if options.native.is_some() => {}
        (MetricKind::Histogram, None) => naming::check_default_buckets(cx, &name),
        (MetricKind::Histogram, Some(_)) => {}
        (_, Some((key, _))) => cx.error_spanned_by(
            key,
            format!(
                "`buckets` applies to histograms; this metric is a {}",
                kind_name(kind)
            ),
        ),
        (_, None) => {}
    }
    let alerts = std::mem::take(&mut options.alerts)
        .into_iter()
        .filter_map(|(key, tokens)| super::alert::parse(cx, &key, tokens, kind))
        .collect();
    MetricDecl {
        kind,
        alerts,
        name,
        help: options.help.take(),
        labels: std::mem::take(&mut options.labels),
        buckets: options.buckets.take().and_then(|(_, buckets)| buckets),
        native: options.native.take().and_then(|(_, native)| native),
        max_label_sets: options.max_label_sets,
    }
}

/// Parses `#[business_metric(...)]`; `None` when the metric itself is missing (an
/// error spanned on `attribute`).
pub(crate) fn parse_attribute(
    cx: &mut Ctxt,
    tokens: TokenStream,
    attribute: &AttrSpan,
) -> Option<BusinessArgs> {
    let args = parse_args(cx, tokens);
    let mut options = collect_options(cx, args, Form::Attribute);
    let Some((kind, _, name)) = options.kind.take() else {
        if options.unknown {
            return None;
        }
        cx.push(attribute.error(
            "missing the metric: start with `counter = \"name_total\"`, `gauge = \"name\"` or \
             `histogram = \"name\"`",
        ));
        return None;
    };
    let misplaced = |cx: &mut Ctxt, key: &Ident, applies_to: &str| {
        cx.error_spanned_by(
            key,
            format!(
                "`{key}` applies to {applies_to}; this metric is a {}",
                kind_name(kind)
            ),
        );
    };
    let action = match kind {
        MetricKind::Counter => {
            for key in [
                options.set.as_ref().map(|(key, _)| key),
                options.inc.as_ref().map(|(key, _)| key),
                options.dec.as_ref().map(|(key, _)| key),
            ]
            .into_iter()
            .flatten()
            {
                misplaced(cx, key, "gauges (a counter adds `amount`, 1 by default)");
            }
            if let Some((key, _)) = &options.observe {
                misplaced(cx, key, "histograms");
            }
            Action::Count(options.amount.take().map(|(_, expr)| expr))
        }
        MetricKind::Gauge => {
            if let Some((key, _)) = &options.amount {
                misplaced(cx, key, "counters (a gauge takes `set`, `inc` or `dec`)");
            }
            if let Some((key, _)) = &options.observe {
                misplaced(cx, key, "histograms");
            }
            let mut actions = Vec::new();
            if let Some((key, expr)) = options.set.take() {
                actions.push((key, Action::Set(expr)));
            }
            if let Some((key, expr)) = options.inc.take() {
                actions.push((key, Action::Inc(expr)));
            }
            if let Some((key, expr)) = options.dec.take() {
                actions.push((key, Action::Dec(expr)));
            }
            let mut actions = actions.into_iter();
            let Some((_, action)) = actions.next() else {
                cx.error_spanned_by(
                    &name,
                    "a gauge needs what to do on each call: `set = ...`, `inc` or `dec` \
                     (optionally `inc = ...`/`dec = ...` with an amount)",
                );
                return None;
            };
            for (key, _) in actions {
                cx.error_spanned_by(
                    &key,
                    "a gauge takes one of `set`, `inc` and `dec` per attribute; add another \
                     `#[business_metric(...)]` for a second update",
                );
            }
            action
        }
        MetricKind::Histogram => {
            for key in [
                options.amount.as_ref().map(|(key, _)| key),
                options.set.as_ref().map(|(key, _)| key),
                options.inc.as_ref().map(|(key, _)| key),
                options.dec.as_ref().map(|(key, _)| key),
            ]
            .into_iter()
            .flatten()
            {
                misplaced(
                    cx,
                    key,
                    "counters and gauges (a histogram takes `observe = ...`)",
                );
            }
            match options.observe.take() {
                Some((_, expr)) => Action::Observe(expr),
                None => {
                    cx.error_spanned_by(
                        &name,
                        "a histogram needs the value to observe: `observe = ...`, e.g. \
                         `observe = ret.total`",
                    );
                    return None;
                }
            }
        }
    };
    let on = options.on.unwrap_or(On::Ok);
    let krate = options.krate.take();
    let metric = metric_decl(cx, kind, name, &mut options);
    Some(BusinessArgs {
        metric,
        on,
        action,
        krate,
    })
}

/// One entry of `business_metrics!`:
/// `#[attrs] vis kind NAME = "metric_name", options...`.
pub(crate) struct Declaration {
    pub(crate) attrs: Vec<syn::Attribute>,
    pub(crate) vis: syn::Visibility,
    pub(crate) kind: Ident,
    pub(crate) ident: Ident,
    pub(crate) name: LitStr,
    pub(crate) options: Vec<Arg>,
}

impl Parse for Declaration {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis = input.parse()?;
        let kind: Ident = input.parse()?;
        let ident: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let name: LitStr = input.parse()?;
        let mut options = Vec::new();
        while input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            options.push(input.parse()?);
        }
        if !input.is_empty() {
            return Err(input.error("expected `,` followed by an option, or `;`"));
        }
        Ok(Declaration {
            attrs,
            vis,
            kind,
            ident,
            name,
            options,
        })
    }
}

/// Parses one entry's options: its metric and its `crate = "..."` override; `None`
/// when the kind is unknown.
pub(crate) fn parse_declaration(
    cx: &mut Ctxt,
    declaration: &mut Declaration,
) -> Option<(MetricDecl, Option<syn::Path>)> {
    let kind = kind_of(&declaration.kind.to_string());
    if kind.is_none() {
        let written = declaration.kind.to_string();
        let hint = if written == "summary" {
            "summaries are not supported: use `histogram`, whose quantiles Prometheus computes at query time".to_owned()
        } else if let Some(close) = closest(&written, &["counter", "gauge", "histogram"]) {
            format!("did you mean `{close}`?")
        } else {
            "expected `counter`, `gauge` or `histogram`".to_owned()
        };
        cx.error_spanned_by(
            &declaration.kind,
            format!("unknown metric kind `{}`: {hint}", declaration.kind),
        );
    }
    let args = std::mem::take(&mut declaration.options);
    let mut options = collect_options(cx, args, Form::Declaration);
    let kind = kind?;
    let krate = options.krate.take();
    let metric = metric_decl(cx, kind, declaration.name.clone(), &mut options);
    Some((metric, krate))
}
