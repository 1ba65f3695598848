//! Code generation for `#[monitored]`: a `static` descriptor registered in a link-time
//! slice, and a thin wrapper around the body that calls into the runtime.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{ImplItem, ImplItemFn, ItemImpl, ReturnType};

use super::attr::{self, Level, MonitoredArgs, SpanSetting};
use super::item::{self, Annotated};
use crate::support::args::private_path;
use crate::support::function::{self, CallShape};
use crate::support::{Ctxt, exits, with_errors};

const CONST_FN: &str = "a `const fn` cannot be monitored: its metrics are updated at run time; \
                        remove `const` or `#[monitored]`";

pub(crate) fn monitored(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = attr::parse_monitored(&mut cx, args);
    let annotated = match item::parse(item.clone()) {
        Ok(annotated) => annotated,
        Err(error) => {
            cx.push(error);
            return with_errors(item, cx);
        }
    };
    let expanded = match annotated {
        Annotated::Fn(function) => {
            if let Some(skip) = &args.skip {
                cx.error_spanned_by(
                    skip,
                    "`skip` opts a method out of a monitored `impl` block; \
                     on its own, remove `#[monitored]` instead",
                );
            }
            if let Some(constness) = &function.sig.constness {
                cx.error_spanned_by(constness, CONST_FN);
            }
            if let Some(again) = function
                .attrs
                .iter()
                .find(|a| function::is_monitored_attr(a))
            {
                cx.error_spanned_by(
                    again,
                    "`#[monitored]` is applied twice to this function; keep one and merge \
                     their arguments",
                );
                let mut function = function;
                function
                    .attrs
                    .retain(|attribute| !function::is_monitored_attr(attribute));
                return with_errors(function.into_token_stream(), cx);
            }
            if cx.has_errors() {
                return with_errors(item, cx);
            }
            function_label(&function, None, &args)
                .map(|label| instrument(&mut cx, function.clone(), &args, label))
                .unwrap_or_else(|| function.into_token_stream())
        }
        Annotated::Impl(block) => {
            if let Some(name) = &args.name {
                cx.error_spanned_by(
                    name,
                    "`name` names one function: put `#[monitored(name = \"...\")]` on a method \
                     of this `impl` block instead",
                );
            }
            if let Some(skip) = &args.skip {
                cx.error_spanned_by(
                    skip,
                    "`skip` goes on a method of a monitored `impl` block, not on the block",
                );
            }
            if cx.has_errors() {
                return with_errors(without_method_attrs(block).into_token_stream(), cx);
            }
            let stripped = without_method_attrs(block.clone());
            let expanded = instrument_impl(&mut cx, block, &args);
            if cx.has_errors() {
                // The block as written, minus the methods' `#[monitored]` attributes,
                // which would otherwise report their errors a second time.
                return with_errors(stripped.into_token_stream(), cx);
            }
            expanded
        }
    };
    if cx.has_errors() {
        return with_errors(item, cx);
    }
    expanded
}

fn function_label(
    function: &ImplItemFn,
    type_name: Option<&str>,
    args: &MonitoredArgs,
) -> Option<String> {
    if let Some(name) = &args.name {
        return Some(name.value());
    }
    let ident = function.sig.ident.to_string();
    let ident = ident.strip_prefix("r#").unwrap_or(&ident).to_owned();
    Some(match type_name {
        Some(type_name) => format!("{type_name}::{ident}"),
        None => ident,
    })
}

fn instrument_impl(cx: &mut Ctxt, mut block: ItemImpl, args: &MonitoredArgs) -> TokenStream {
    let type_name = type_name(&block.self_ty);
    for item in &mut block.items {
        let ImplItem::Fn(method) = item else { continue };
        // A method's own `#[monitored(...)]` refines (or with `skip`, cancels) the
        // block's arguments; it is consumed here.
        let mut own = MonitoredArgs::default();
        let mut had_own = false;
        let mut kept = Vec::with_capacity(method.attrs.len());
        for attribute in std::mem::take(&mut method.attrs) {
            if function::is_monitored_attr(&attribute) {
                had_own = true;
                let tokens = match &attribute.meta {
                    syn::Meta::List(list) => list.tokens.clone(),
                    _ => TokenStream::new(),
                };
                own = attr::parse_monitored(cx, tokens);
            } else {
                kept.push(attribute);
            }
        }
        method.attrs = kept;
        if own.skip.is_some() || method.sig.constness.is_some() && !had_own {
            continue;
        }
        if let Some(constness) = &method.sig.constness {
            cx.error_spanned_by(constness, CONST_FN);
            continue;
        }
        let merged = own.merged_over(args);
        let Some(label) = function_label(method, Some(&type_name), &merged) else {
            continue;
        };
        let expanded = instrument(cx, method.clone(), &merged, label);
        *item = ImplItem::Verbatim(expanded);
    }
    block.into_token_stream()
}

/// `block` without the `#[monitored(...)]` attributes of its methods.
fn without_method_attrs(mut block: ItemImpl) -> ItemImpl {
    for item in &mut block.items {
        if let ImplItem::Fn(method) = item {
            method
                .attrs
                .retain(|attribute| !function::is_monitored_attr(attribute));
        }
    }
    block
}

fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default(),
        syn::Type::Reference(reference) => type_name(&reference.elem),
        syn::Type::Paren(paren) => type_name(&paren.elem),
        syn::Type::Group(group) => type_name(&group.elem),
        other => other.to_token_stream().to_string().replace(' ', ""),
    }
}

/// Wraps one function.
fn instrument(
    cx: &mut Ctxt,
    function: ImplItemFn,
    args: &MonitoredArgs,
    label: String,
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
    let ident_span = sig.ident.span();

    let buckets = args.buckets.as_deref().unwrap_or(&[]);
    let is_async = !matches!(shape, CallShape::Sync);
    let site = quote_spanned! {ident_span=>
        static __MONITOR_SITE: #private::FunctionSite = #private::FunctionSite::new(
            #label,
            ::core::module_path!(),
            ::core::file!(),
            ::core::line!(),
            &[#(#buckets),*],
            #is_async,
        );
        #[#private::linkme::distributed_slice(#private::MONITORED_FUNCTIONS)]
        #[linkme(crate = #private::linkme)]
        static __MONITOR_REGISTRATION: &'static #private::FunctionSite = &__MONITOR_SITE;
    };
    let span = span_tokens(&private, args.span, &label);
    let span_off = args.span == Some(SpanSetting::Off);
    let finish = if span_off {
        quote!(#private::finish_call!(__monitor_guard, __monitor_ret, no_span);)
    } else {
        quote!(#private::finish_call!(__monitor_guard, __monitor_ret);)
    };
    // A synchronous body runs with the span entered (nothing to enter without one).
    let (enter, exit) = if span_off {
        (TokenStream::new(), TokenStream::new())
    } else {
        (
            quote!(let __monitor_entered = #private::CallSpan::enter(__monitor_guard.span());),
            quote!(::core::mem::drop(__monitor_entered);),
        )
    };

    let body = match shape {
        CallShape::AsyncFn => {
            let ret = return_type(&sig.output);
            let stmts = &block.stmts;
            quote! {
                let mut __monitor_guard = #private::CallGuard::enter(&__MONITOR_SITE, #span);
                let __monitor_ret: #ret = __monitor_guard.track(async move { #(#stmts)* }).await;
                #finish
                __monitor_ret
            }
        }
        CallShape::Future { output, boxed } => {
            let output = exits::erase_impl_trait(&output);
            let label = exits::label_tokens();
            let opaque = exits::rewrite(&mut block, &private);
            if let Some(span) = opaque {
                cx.push(opaque_macro_error(span));
            }
            let stmts = &block.stmts;
            let future = quote! {
                async move {
                    let mut __monitor_guard = #private::CallGuard::enter(&__MONITOR_SITE, #span);
                    let __monitor_ret: #output = __monitor_guard.track(__monitor_future).await;
                    #finish
                    __monitor_ret
                }
            };
            let future = if boxed {
                quote!(::std::boxed::Box::pin(#future))
            } else {
                future
            };
            quote! {
                #[allow(clippy::diverging_sub_expression)]
                let __monitor_future = #label: { #(#stmts)* };
                #future
            }
        }
        CallShape::Sync => {
            let diverges = matches!(&sig.output, ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_)));
            if diverges {
                let stmts = &block.stmts;
                quote! {
                    let __monitor_guard = #private::CallGuard::enter(&__MONITOR_SITE, #span);
                    #enter
                    #(#stmts)*
                }
            } else {
                let ret = return_type(&sig.output);
                let label = exits::label_tokens();
                if let Some(span) = exits::rewrite(&mut block, &private) {
                    cx.push(opaque_macro_error(span));
                }
                let stmts = &block.stmts;
                quote! {
                    let __monitor_guard = #private::CallGuard::enter(&__MONITOR_SITE, #span);
                    #enter
                    // The body's own statements, not a sub-expression of ours.
                    #[allow(clippy::diverging_sub_expression)]
                    let __monitor_ret: #ret = #label: { #(#stmts)* };
                    // A body that diverges (it always panics) makes the bookkeeping
                    // unreachable; that is expected, not the user's mistake.
                    #[allow(unreachable_code)]
                    let __monitor_ret: #ret = {
                        #exit
                        #finish
                        __monitor_ret
                    };
                    __monitor_ret
                }
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
        "`#[monitored]` cannot follow a `return` or `?` inside this macro call, whose arguments \
         are not plain expressions; compute the value before the macro call \
         (e.g. `let value = fallible()?;`) so the early exit is counted",
    )
}

fn return_type(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => exits::erase_impl_trait(ty).into_token_stream(),
    }
}

fn span_tokens(private: &TokenStream, setting: Option<SpanSetting>, label: &str) -> TokenStream {
    let level = match setting.unwrap_or(SpanSetting::Level(Level::Info)) {
        SpanSetting::Off => return quote!(#private::NoSpan),
        SpanSetting::Level(level) => level,
    };
    let level = match level {
        Level::Trace => quote!(TRACE),
        Level::Debug => quote!(DEBUG),
        Level::Info => quote!(INFO),
        Level::Warn => quote!(WARN),
        Level::Error => quote!(ERROR),
    };
    quote! {
        #private::tracing::span!(
            target: ::core::module_path!(),
            #private::tracing::Level::#level,
            #label,
            result = #private::tracing::field::Empty,
            error = #private::tracing::field::Empty,
        )
    }
}
