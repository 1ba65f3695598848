//! Code generation for business metrics: a `static` descriptor registered in a
//! link-time slice, the label look-up, and one update after the body (the body wrapper
//! itself is shared: `support::wrap`).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ImplItemFn, ReturnType};

use super::attr::{self, Action, BusinessArgs, Label, LabelSource, MetricDecl, On};
use super::valid::{check_metric, mentions_ret};
use crate::naming::MetricKind;
use crate::support::args::private_path;
use crate::support::function::AttrSpan;
use crate::support::{Ctxt, with_errors, wrap};

/// `#[business_metric]` on `item`: its arguments parsed and checked, and the function
/// handed to `expand` with them (`None` when the metric itself is missing, already
/// reported); an item that is not a function is returned with the errors.
pub(crate) fn business_metric(
    args: TokenStream,
    item: TokenStream,
    expand: impl FnOnce(Ctxt, ImplItemFn, Option<BusinessArgs>) -> TokenStream,
) -> TokenStream {
    let mut cx = Ctxt::default();
    let parsed = attr::parse_attribute(&mut cx, args, &AttrSpan::CallSite);
    let function = match syn::parse2::<ImplItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            cx.push(syn::Error::new(
                Span::call_site(),
                "`#[business_metric]` goes on a function (free or a method, sync or async) whose \
                 calls the metric counts; to update a metric from anywhere, declare it with \
                 `business_metrics!`",
            ));
            return with_errors(item, cx);
        }
    };
    if let Some(parsed) = &parsed {
        check_metric(&mut cx, &parsed.metric, parsed.metric.name.span());
    }
    expand(cx, function, parsed)
}

/// Parses and checks a `#[business_metric]` absorbed by another attribute of ours;
/// `span` is the attribute's. `None` when the metric itself is missing.
pub(crate) fn parse(cx: &mut Ctxt, tokens: TokenStream, span: &AttrSpan) -> Option<BusinessArgs> {
    let parsed = attr::parse_attribute(cx, tokens, span)?;
    check_metric(cx, &parsed.metric, parsed.metric.name.span());
    Some(parsed)
}

/// What a business metric rules out on its function: a `const fn`, and a function
/// that never returns.
pub(crate) fn check_function(cx: &mut Ctxt, function: &ImplItemFn) {
    if let Some(constness) = &function.sig.constness {
        cx.error_spanned_by(
            constness,
            "a `const fn` cannot update a business metric: its metrics change at run time; \
             remove `const` or `#[business_metric]`",
        );
    }
    if let ReturnType::Type(_, ty) = &function.sig.output
        && matches!(**ty, syn::Type::Never(_))
    {
        cx.error_spanned_by(
            ty,
            "a function that never returns has no outcome to count; update the metric \
                 from the code it calls instead",
        );
    }
}

/// The error at a macro call in a synchronous body whose early exit cannot be
/// rewritten.
pub(crate) const OPAQUE_EXIT: &str = "`#[business_metric]` cannot follow a `return` or `?` inside \
     this macro call, whose arguments are not plain expressions; compute the value before the \
     macro call (e.g. `let value = fallible()?;`) so the early exit is seen";

/// The runtime path of this business metric.
pub(crate) fn private(args: &BusinessArgs) -> TokenStream {
    private_path(args.krate.as_ref())
}

fn kind_tokens(private: &TokenStream, kind: MetricKind) -> TokenStream {
    match kind {
        MetricKind::Counter => quote!(#private::MetricKind::Counter),
        MetricKind::Gauge => quote!(#private::MetricKind::Gauge),
        MetricKind::Histogram => quote!(#private::MetricKind::Histogram),
    }
}

/// The `static` descriptor and its registration in the link-time slice.
fn site(
    private: &TokenStream,
    metric: &MetricDecl,
    site: &syn::Ident,
    registration: &syn::Ident,
) -> TokenStream {
    let kind = kind_tokens(private, metric.kind);
    let name = &metric.name;
    let help = metric
        .help
        .as_ref()
        .map_or_else(String::new, syn::LitStr::value);
    let given: Vec<String> = metric
        .labels
        .iter()
        .filter(|label| !matches!(label.source, LabelSource::Const(_)))
        .map(Label::name)
        .collect();
    let constants = metric
        .labels
        .iter()
        .filter_map(|label| match &label.source {
            LabelSource::Const(value) => {
                let name = label.name();
                Some(quote!((#name, #value)))
            }
            _ => None,
        });
    let buckets = metric.buckets.as_deref().unwrap_or(&[]);
    let native = match metric.native {
        Some(schema) => quote!(#schema),
        None => quote!(#private::NATIVE_OFF),
    };
    let max = metric.max_label_sets.unwrap_or(0);
    let line = quote_spanned!(name.span()=> ::core::line!());
    let alerts = super::alert::sites(private, name, &metric.alerts, site);
    quote! {
        #alerts
        static #site: #private::BusinessSite = #private::BusinessSite::new(
            #kind,
            #name,
            #help,
            &[#(#given),*],
            &[#(#constants),*],
            &[#(#buckets),*],
            #native,
            #max,
            ::core::file!(),
            #line,
        );
        #[#private::linkme::distributed_slice(#private::BUSINESS_METRICS)]
        #[linkme(crate = #private::linkme)]
        static #registration: &'static #private::BusinessSite = &#site;
    }
}

/// `&expr`, parenthesised only when precedence requires it, so that a type error
/// points at the user's expression.
fn by_ref(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Path(_)
        | Expr::MethodCall(_)
        | Expr::Field(_)
        | Expr::Call(_)
        | Expr::Index(_)
        | Expr::Lit(_)
        | Expr::Macro(_)
        | Expr::Paren(_)
        | Expr::Block(_)
        | Expr::Tuple(_)
        | Expr::Array(_)
        | Expr::Reference(_)
        | Expr::Unary(_)
        | Expr::If(_)
        | Expr::Match(_) => quote_spanned!(expr.span()=> &#expr),
        _ => quote_spanned!(expr.span()=> &(#expr)),
    }
}

/// A call of `function` on `argument` whose generated tokens all sit at `span` (the
/// user's expression), so that a diagnostic about the call points at the expression
/// rather than at the whole attribute. The argument's own tokens keep their spans.
fn call_at(function: TokenStream, argument: TokenStream, span: Span) -> TokenStream {
    let function: TokenStream = function
        .into_iter()
        .map(|mut tree| {
            tree.set_span(span);
            tree
        })
        .collect();
    let mut arguments = proc_macro2::Group::new(proc_macro2::Delimiter::Parenthesis, argument);
    arguments.set_span(span);
    quote!(#function #arguments)
}

/// What one business metric adds to the wrapper of its function.
pub(crate) struct Part {
    /// Its descriptor, registered in the link-time slice.
    pub(crate) items: TokenStream,
    /// What is evaluated when the call starts: labels and value that do not read `ret`.
    pub(crate) start: TokenStream,
    /// The update after the body returned, for the calls that count.
    pub(crate) end: TokenStream,
}

/// The part of the `index`-th business metric of a function (its locals and statics
/// are numbered, so that the metrics of one function do not shadow each other).
pub(crate) fn part(args: &BusinessArgs, index: usize) -> Part {
    let private = private(args);
    let site_ident = format_ident!("__MONITOR_BUSINESS_SITE_{index}");
    let registration = format_ident!("__MONITOR_BUSINESS_REGISTRATION_{index}");
    let items = site(&private, &args.metric, &site_ident, &registration);

    // Label values given at each call, in the descriptor's order.
    let label_exprs: Vec<&Expr> = args
        .metric
        .labels
        .iter()
        .filter_map(|label| match &label.source {
            LabelSource::Expr(expr) => Some(expr),
            _ => None,
        })
        .collect();
    let labels_after = label_exprs
        .iter()
        .any(|expr| mentions_ret(expr.to_token_stream()));
    let label_values = label_exprs.iter().map(|expr| {
        let reference = by_ref(expr);
        let call = call_at(quote!(#private::label_value), reference, expr.span());
        quote_spanned!(expr.span()=> #call.as_str())
    });
    let series = wrap::local(&format!("__monitor_business_series_{index}"));
    let pending = wrap::local(&format!("__monitor_business_pending_{index}"));

    let (method, value_expr) = match &args.action {
        Action::Count(amount) => (quote!(count), amount.as_ref()),
        Action::Set(value) => (quote!(set), Some(value)),
        Action::Inc(amount) => (quote!(add), amount.as_ref()),
        Action::Dec(amount) => (quote!(sub), amount.as_ref()),
        Action::Observe(value) => (quote!(observe), Some(value)),
    };
    let value_after = value_expr.is_some_and(|expr| mentions_ret(expr.to_token_stream()));
    let value_ident = wrap::local(&format!("__monitor_business_value_{index}"));
    let value = value_expr.map_or_else(
        || quote!(1.0_f64),
        |expr| {
            call_at(
                quote!(#private::metric_value),
                expr.to_token_stream(),
                expr.span(),
            )
        },
    );

    let mut before = TokenStream::new();
    let mut after = TokenStream::new();
    if labels_after {
        after.extend(quote! {
            let #series: &'static #private::Series = #site_ident.series(&[#(#label_values),*]);
        });
    } else {
        // The label values are read when the call starts (the body may consume what
        // they are read from); the series is created only if the metric is updated.
        before.extend(quote! {
            let #pending: #private::PendingSeries = #site_ident.pending(&[#(#label_values),*]);
        });
        after.extend(quote!(let #series: &'static #private::Series = #pending.get();));
    }
    if value_after {
        after.extend(quote!(#series.#method(#value);));
    } else {
        before.extend(quote!(let #value_ident: ::core::primitive::f64 = #value;));
        after.extend(quote!(#series.#method(#value_ident);));
    }

    let ret_value = wrap::ret();
    let ret = syn::Ident::new("ret", Span::call_site());
    let needs_ret = labels_after || value_after;
    let is_error = wrap::local("__monitor_business_is_error");
    let update = match (args.on, needs_ret) {
        (On::Always, false) => after,
        (On::Always, true) => quote! {
            let #ret = &#ret_value;
            #after
        },
        (on, needs_ret) => {
            let condition = match on {
                On::Error => quote!(#is_error),
                _ => quote!(!#is_error),
            };
            let body = if needs_ret {
                let pick = match on {
                    On::Error => quote!(__monitor_err),
                    _ => quote!(__monitor_ok),
                };
                quote! {
                    if let ::core::option::Option::Some(#ret) =
                        (&&#private::Returned(&#ret_value)).#pick()
                    {
                        #after
                    }
                }
            } else {
                after
            };
            quote! {
                #[allow(unused_imports)]
                use #private::{
                    ClassifyByTrait as _, ClassifyDefault as _, PickErrOfAny as _,
                    PickErrOfResult as _, PickOkOfAny as _, PickOkOfResult as _,
                };
                let #is_error: ::core::primitive::bool =
                    (&&#private::Outcome(&#ret_value)).__monitor_is_error();
                if #condition {
                    #body
                }
            }
        }
    };
    Part {
        items,
        start: before,
        end: quote!({ #update }),
    }
}

/// Expands `business_metrics! { ... }`.
pub(crate) fn business_metrics(input: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut output = TokenStream::new();
    for entry in split_entries(input) {
        let mut declaration = match syn::parse2::<attr::Declaration>(entry) {
            Ok(declaration) => declaration,
            Err(error) => {
                cx.push(error);
                continue;
            }
        };
        let Some((metric, krate)) = attr::parse_declaration(&mut cx, &mut declaration) else {
            continue;
        };
        check_metric(&mut cx, &metric, declaration.ident.span());
        output.extend(declare(&declaration, &metric, krate.as_ref()));
    }
    let errors = cx.into_compile_errors();
    quote!(#output #errors)
}

/// Splits the input at top-level `;`.
fn split_entries(input: TokenStream) -> Vec<TokenStream> {
    let mut entries = Vec::new();
    let mut current = TokenStream::new();
    for tree in input {
        match &tree {
            proc_macro2::TokenTree::Punct(punct) if punct.as_char() == ';' => {
                entries.push(std::mem::take(&mut current));
            }
            _ => current.extend([tree]),
        }
    }
    if !current.is_empty() {
        entries.push(current);
    }
    entries
}

/// One static with its handle; everything it names goes through the private door of
/// the runtime, `krate`'s when the runtime is renamed.
fn declare(
    declaration: &attr::Declaration,
    metric: &MetricDecl,
    krate: Option<&syn::Path>,
) -> TokenStream {
    let private = private_path(krate);
    let handle = match metric.kind {
        MetricKind::Counter => quote!(Counter),
        MetricKind::Gauge => quote!(Gauge),
        MetricKind::Histogram => quote!(Histogram),
    };
    let constructor = match metric.kind {
        MetricKind::Counter => quote!(counter),
        MetricKind::Gauge => quote!(gauge),
        MetricKind::Histogram => quote!(histogram),
    };
    let given = metric
        .labels
        .iter()
        .filter(|label| !matches!(label.source, LabelSource::Const(_)))
        .count();
    let site_ident = format_ident!("__MONITOR_BUSINESS_SITE");
    let registration = format_ident!("__MONITOR_BUSINESS_REGISTRATION");
    let site = site(&private, metric, &site_ident, &registration);
    let attr::Declaration {
        attrs, vis, ident, ..
    } = declaration;
    quote! {
        #(#attrs)*
        #vis static #ident: #private::#handle<#given> =
            #private::#constructor::<#given>({
            #site
            &#site_ident
        });
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::business_metrics;

    /// Everything the expansion names goes through the private door of the runtime,
    /// the renamed one's with `crate = "..."`.
    #[test]
    fn declarations_reach_the_runtime_through_its_private_door() {
        let text = business_metrics(quote! {
            pub counter ORDERS = "orders_total", help = "Orders.", labels(plan),
                crate = "monitor";
            gauge QUEUE = "queue_length", help = "Jobs.", crate = "::monitor";
        })
        .to_string();
        assert!(!text.contains("monitor_runtime"), "{text}");
        assert!(!text.contains("compile_error"), "{text}");
        assert!(text.contains("monitor :: __private :: Counter"), "{text}");
        assert!(text.contains(":: monitor :: __private :: Gauge"), "{text}");

        let text = business_metrics(quote! {
            counter ORDERS = "orders_total", help = "Orders.";
        })
        .to_string();
        let paths = text.matches(":: monitor_runtime ::").count();
        let private = text.matches(":: monitor_runtime :: __private ::").count();
        assert!(paths > 0 && paths == private, "{text}");
    }
}
