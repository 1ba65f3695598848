//! Code generation for business metrics: a `static` descriptor registered in a
//! link-time slice, the label look-up, and one update after the body.

use std::hash::{Hash, Hasher};

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ImplItemFn, Lifetime, ReturnType};

use super::attr::{self, Action, BusinessArgs, Label, LabelSource, MetricDecl, On};
use super::{check_metric, mentions_ret};
use crate::naming::MetricKind;
use crate::support::args::private_path;
use crate::support::function::{self, CallShape};
use crate::support::{Ctxt, exits, with_errors};

/// A name suffix unique to one attribute, so that several attributes on one function
/// nest without shadowing each other's labels.
fn suffix(args: &TokenStream, function: &ImplItemFn) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    args.to_string().hash(&mut hasher);
    function.sig.ident.to_string().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

pub(crate) fn business_metric(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let parsed = attr::parse_attribute(&mut cx, args.clone());
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
    let Some(parsed) = parsed else {
        return with_errors(item, cx);
    };
    if cx.has_errors() {
        return with_errors(item, cx);
    }
    let suffix = suffix(&args, &function);
    let expanded = instrument(&mut cx, function, &parsed, &suffix);
    if cx.has_errors() {
        return with_errors(item, cx);
    }
    expanded
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
    let max = metric.max_label_sets.unwrap_or(0);
    let line = quote_spanned!(name.span()=> ::core::line!());
    quote! {
        static #site: #private::BusinessSite = #private::BusinessSite::new(
            #kind,
            #name,
            #help,
            &[#(#given),*],
            &[#(#constants),*],
            &[#(#buckets),*],
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

/// Wraps one function.
fn instrument(
    cx: &mut Ctxt,
    function: ImplItemFn,
    args: &BusinessArgs,
    suffix: &str,
) -> TokenStream {
    let private = private_path(args.krate.as_ref());
    let ImplItemFn {
        attrs,
        vis,
        defaultness,
        sig,
        mut block,
    } = function;
    let (outer_attrs, inner_attrs) = function::split_attrs(attrs);
    let shape = function::call_shape(&sig);

    let site_ident = format_ident!("__MONITOR_BUSINESS_SITE_{}", suffix.to_uppercase());
    let registration = format_ident!("__MONITOR_BUSINESS_REGISTRATION_{}", suffix.to_uppercase());
    let site = site(&private, &args.metric, &site_ident, &registration);

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
        quote_spanned!(expr.span()=> #call.as_ref())
    });
    let series = format_ident!("__monitor_business_series");
    let lookup =
        quote!(let #series: &'static #private::Series = #site_ident.series(&[#(#label_values),*]););

    let (method, value_expr) = match &args.action {
        Action::Count(amount) => (quote!(count), amount.as_ref()),
        Action::Set(value) => (quote!(set), Some(value)),
        Action::Inc(amount) => (quote!(add), amount.as_ref()),
        Action::Dec(amount) => (quote!(sub), amount.as_ref()),
        Action::Observe(value) => (quote!(observe), Some(value)),
    };
    let value_after = value_expr.is_some_and(|expr| mentions_ret(expr.to_token_stream()));
    let value_ident = format_ident!("__monitor_business_value");
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
        after.extend(lookup);
    } else {
        before.extend(lookup);
    }
    if value_after {
        after.extend(quote!(#series.#method(#value);));
    } else {
        before.extend(quote!(let #value_ident: ::core::primitive::f64 = #value;));
        after.extend(quote!(#series.#method(#value_ident);));
    }

    let ret_value = format_ident!("__monitor_business_ret");
    let ret = syn::Ident::new("ret", Span::call_site());
    let needs_ret = labels_after || value_after;
    let update = match (args.on, needs_ret) {
        (On::Always, false) => after,
        (On::Always, true) => quote! {
            let #ret = &#ret_value;
            #after
        },
        (on, needs_ret) => {
            let condition = match on {
                On::Error => quote!(__monitor_business_is_error),
                _ => quote!(!__monitor_business_is_error),
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
                let __monitor_business_is_error: ::core::primitive::bool =
                    (&&#private::Outcome(&#ret_value)).__monitor_is_error();
                if #condition {
                    #body
                }
            }
        }
    };
    let update = quote!({ #update });

    let label_name = format!("'__monitor_business_{suffix}");
    let label = Lifetime::new(&label_name, Span::call_site());
    let body = match shape {
        CallShape::AsyncFn => {
            let ret_ty = return_type(&sig.output);
            let stmts = &block.stmts;
            quote! {
                #before
                let #ret_value: #ret_ty = async move { #(#stmts)* }.await;
                #update
                #ret_value
            }
        }
        CallShape::Future { output, boxed } => {
            let output = exits::erase_impl_trait(&output);
            if let Some(span) = exits::rewrite_with_label(&mut block, &private, &label_name) {
                cx.push(opaque_macro_error(span));
            }
            let stmts = &block.stmts;
            let future = quote! {
                async move {
                    let #ret_value: #output = __monitor_business_future.await;
                    #update
                    #ret_value
                }
            };
            let future = if boxed {
                quote!(::std::boxed::Box::pin(#future))
            } else {
                future
            };
            quote! {
                #before
                let __monitor_business_future = #label: { #(#stmts)* };
                #future
            }
        }
        CallShape::Sync => {
            let ret_ty = return_type(&sig.output);
            if let Some(span) = exits::rewrite_with_label(&mut block, &private, &label_name) {
                cx.push(opaque_macro_error(span));
            }
            let stmts = &block.stmts;
            quote! {
                #before
                let #ret_value: #ret_ty = #label: { #(#stmts)* };
                #update
                #ret_value
            }
        }
    };

    quote! {
        #(#outer_attrs)*
        #vis #defaultness #sig {
            #(#inner_attrs)*
            #site
            #body
        }
    }
}

fn opaque_macro_error(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "`#[business_metric]` cannot follow a `return` or `?` inside this macro call, whose \
         arguments are not plain expressions; compute the value before the macro call \
         (e.g. `let value = fallible()?;`) so the early exit is seen",
    )
}

fn return_type(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => exits::erase_impl_trait(ty).into_token_stream(),
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
        let Some(metric) = attr::parse_declaration(&mut cx, &mut declaration) else {
            continue;
        };
        check_metric(&mut cx, &metric, declaration.ident.span());
        output.extend(declare(&declaration, &metric));
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

fn declare(declaration: &attr::Declaration, metric: &MetricDecl) -> TokenStream {
    let private = quote!(::monitor_runtime::__private);
    let handle = match metric.kind {
        MetricKind::Counter => quote!(Counter),
        MetricKind::Gauge => quote!(Gauge),
        MetricKind::Histogram => quote!(Histogram),
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
        #vis static #ident: ::monitor_runtime::business::#handle<#given> =
            ::monitor_runtime::business::#handle::__new({
            #site
            &#site_ident
        });
    }
}
