//! Expansion of `#[monitored]`: the item it is on (a function, or each method of an
//! `impl` block), the `static` descriptor registered in a link-time slice, and the call
//! guard the body wrapper puts around the body.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ImplItem, ImplItemFn, ItemImpl, Signature};

use super::attr::{self, Level, MonitoredArgs, SpanSetting};
use super::item::{self, Annotated};
use crate::support::args::private_path;
use crate::support::function::{self, AttrSpan, CallShape, Declared, Failed};
use crate::support::{Ctxt, Guard, with_errors};

const CONST_FN: &str = "a `const fn` cannot be monitored: its metrics are updated at run time; \
                        remove `const` or `#[monitored]`";

/// The error at a macro call in a synchronous body whose early exit cannot be
/// rewritten.
pub(crate) const OPAQUE_EXIT: &str = "`#[monitored]` cannot follow a `return` or `?` inside this \
     macro call, whose arguments are not plain expressions; compute the value before the macro \
     call (e.g. `let value = fallible()?;`) so the early exit is counted";

/// `#[monitored]` on one function, with what it needs from its context.
pub(crate) struct Monitoring {
    pub(crate) args: MonitoredArgs,
    /// The `impl` block's type, for a method of a monitored block: it prefixes the
    /// `function` label.
    pub(crate) type_name: Option<String>,
}

impl Monitoring {
    /// What `future` says the return type is.
    pub(crate) fn declared(&self) -> Declared {
        match self.args.future {
            None => Declared::Unsaid,
            Some(true) => Declared::Future,
            Some(false) => Declared::NotFuture,
        }
    }
}

/// How one function is expanded with the attributes of ours on it, given by the
/// driver that knows them all; on error, the function without them and the errors.
pub(crate) type ExpandFunction<'a> =
    dyn FnMut(Ctxt, ImplItemFn, Monitoring) -> Result<TokenStream, Box<Failed>> + 'a;

/// `#[monitored]` on `item`: a function, or each method of an `impl` block, handed to
/// `expand` with its arguments.
pub(crate) fn monitored(
    args: TokenStream,
    item: TokenStream,
    expand: &mut ExpandFunction<'_>,
) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = attr::parse_monitored(&mut cx, args);
    let annotated = match item::parse(item.clone()) {
        Ok(annotated) => annotated,
        Err(error) => {
            cx.push(error);
            return with_errors(item, cx);
        }
    };
    match annotated {
        Annotated::Fn(function) => {
            let monitoring = Monitoring {
                args,
                type_name: None,
            };
            match expand(cx, function, monitoring) {
                Ok(expanded) => expanded,
                Err(failed) => with_errors(failed.function, failed.errors),
            }
        }
        Annotated::Impl(block) => monitored_impl(cx, block, &args, expand),
    }
}

/// Parses the arguments of a `#[monitored]` absorbed by another attribute of ours.
pub(crate) fn parse(cx: &mut Ctxt, tokens: TokenStream) -> Monitoring {
    Monitoring {
        args: attr::parse_monitored(cx, tokens),
        type_name: None,
    }
}

/// What `#[monitored]` rules out on a function: `skip` outside an `impl` block, a
/// `const fn`, and a second `#[monitored]` (each of `again`).
pub(crate) fn check_function(
    cx: &mut Ctxt,
    monitoring: &Monitoring,
    function: &ImplItemFn,
    again: &[AttrSpan],
) {
    if let Some(skip) = &monitoring.args.skip {
        cx.error_spanned_by(
            skip,
            "`skip` opts a method out of a monitored `impl` block; \
             on its own, remove `#[monitored]` instead",
        );
    }
    if let Some(constness) = &function.sig.constness {
        cx.error_spanned_by(constness, CONST_FN);
    }
    for again in again {
        cx.push(again.error(
            "`#[monitored]` is applied twice to this function; keep one and merge \
             their arguments",
        ));
    }
}

fn monitored_impl(
    mut cx: Ctxt,
    block: ItemImpl,
    args: &MonitoredArgs,
    expand: &mut ExpandFunction<'_>,
) -> TokenStream {
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
    if args.objective.is_some() {
        cx.error_spanned_by(
            &block.self_ty,
            "an objective belongs to one function: put `#[monitored(objective(...))]` on a \
             method of this `impl` block instead",
        );
    }
    if cx.has_errors() {
        return with_errors(without_method_attrs(block), cx);
    }
    let type_name = impl_label(&block);
    // The block as written, minus the attributes of its methods that this expansion
    // consumed, which would otherwise report their errors a second time.
    let mut stripped = without_method_attrs(block.clone());
    let mut block = block;
    for (item, stripped) in block.items.iter_mut().zip(&mut stripped.items) {
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
                own = attr::parse_monitored(&mut cx, tokens);
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
        let monitoring = Monitoring {
            args: own.merged_over(args),
            type_name: Some(type_name.clone()),
        };
        // The method's other attributes of ours join the same wrapper.
        match expand(Ctxt::default(), method.clone(), monitoring) {
            Ok(expanded) => *item = ImplItem::Verbatim(expanded),
            Err(failed) => {
                cx.append(failed.errors);
                *stripped = ImplItem::Fn(failed.function);
            }
        }
    }
    if cx.has_errors() {
        return with_errors(stripped, cx);
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

/// What prefixes the `function` label of the methods of a monitored `impl` block, so
/// that two blocks never label a method alike: the type, with its generic arguments
/// (`Foo<u8>`), and for a trait impl the trait in Rust's own notation
/// (`<AppError as From<io::Error>>`). Paths are shortened to their last segment at the
/// top and kept as written inside generic arguments; lifetimes are left out.
fn impl_label(block: &ItemImpl) -> String {
    let self_ty = match &*block.self_ty {
        syn::Type::Path(path) if path.qself.is_none() => last_segment_label(&path.path),
        other => type_label(other),
    };
    match &block.trait_ {
        Some((negative, path, _)) => format!(
            "<{self_ty} as {}{}>",
            if negative.is_some() { "!" } else { "" },
            last_segment_label(path)
        ),
        None => self_ty,
    }
}

fn last_segment_label(path: &syn::Path) -> String {
    path.segments.last().map(segment_label).unwrap_or_default()
}

fn segment_label(segment: &syn::PathSegment) -> String {
    let ident = segment.ident.to_string();
    let ident = ident.strip_prefix("r#").unwrap_or(&ident).to_owned();
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) => {
            let args: Vec<String> = args
                .args
                .iter()
                .filter_map(|arg| match arg {
                    syn::GenericArgument::Lifetime(_) => None,
                    syn::GenericArgument::Type(ty) => Some(type_label(ty)),
                    other => Some(tokens_label(other)),
                })
                .collect();
            if args.is_empty() {
                ident
            } else {
                format!("{ident}<{}>", args.join(", "))
            }
        }
        syn::PathArguments::Parenthesized(args) => format!("{ident}{}", tokens_label(args)),
        syn::PathArguments::None => ident,
    }
}

/// A type as written, without lifetimes and with the spacing of `rustfmt`.
fn type_label(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .iter()
            .map(segment_label)
            .collect::<Vec<_>>()
            .join("::"),
        syn::Type::Reference(reference) => format!(
            "&{}{}",
            if reference.mutability.is_some() {
                "mut "
            } else {
                ""
            },
            type_label(&reference.elem)
        ),
        syn::Type::Tuple(tuple) => {
            let elems: Vec<String> = tuple.elems.iter().map(type_label).collect();
            match elems.as_slice() {
                [one] => format!("({one},)"),
                _ => format!("({})", elems.join(", ")),
            }
        }
        syn::Type::Slice(slice) => format!("[{}]", type_label(&slice.elem)),
        syn::Type::Array(array) => format!(
            "[{}; {}]",
            type_label(&array.elem),
            tokens_label(&array.len)
        ),
        syn::Type::Paren(paren) => type_label(&paren.elem),
        syn::Type::Group(group) => type_label(&group.elem),
        other => tokens_label(other),
    }
}

/// Tokens as text, without the spaces `to_string` puts around punctuation.
fn tokens_label(tokens: &impl ToTokens) -> String {
    let text = tokens.to_token_stream().to_string();
    [
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
    ]
    .iter()
    .fold(text, |text, (from, to)| text.replace(from, to))
}

/// The `function` label: `name = "..."`, else the function's name, prefixed by the
/// type of a monitored `impl` block.
fn function_label(sig: &Signature, monitoring: &Monitoring) -> String {
    if let Some(name) = &monitoring.args.name {
        return name.value();
    }
    let ident = sig.ident.to_string();
    let ident = ident.strip_prefix("r#").unwrap_or(&ident).to_owned();
    match &monitoring.type_name {
        Some(type_name) => format!("{type_name}::{ident}"),
        None => ident,
    }
}

/// The runtime path of this `#[monitored]`.
pub(crate) fn private(monitoring: &Monitoring) -> TokenStream {
    private_path(monitoring.args.krate.as_ref())
}

/// The function's descriptor (a `static` registered in the link-time slice), and the
/// guard around its calls.
pub(crate) fn guard(monitoring: &Monitoring, sig: &Signature) -> (TokenStream, Guard) {
    let args = &monitoring.args;
    let label = function_label(sig, monitoring);
    let private = private(monitoring);
    let buckets = args.histogram_buckets();
    let buckets = buckets.as_deref().unwrap_or(&[]);
    let classic = args.classic_buckets();
    let native = match args.native {
        Some(schema) => quote!(#schema),
        None => quote!(#private::NATIVE_OFF),
    };
    let shape = function::call_shape(sig, monitoring.declared());
    let is_async = !matches!(shape, CallShape::Sync);
    let site = quote_spanned! {sig.ident.span()=>
        static __MONITOR_SITE: #private::FunctionSite = #private::FunctionSite::new(
            #label,
            ::core::module_path!(),
            ::core::file!(),
            ::core::line!(),
            &[#(#buckets),*],
            #classic,
            #native,
            #is_async,
        );
        #[#private::linkme::distributed_slice(#private::MONITORED_FUNCTIONS)]
        #[linkme(crate = #private::linkme)]
        static __MONITOR_REGISTRATION: &'static #private::FunctionSite = &__MONITOR_SITE;
    };
    let site = match &args.objective {
        Some(objective) => {
            let objective = super::objective::site(&private, objective, &label);
            quote!(#site #objective)
        }
        None => site,
    };
    let span = span_tokens(&private, args.span, &label);
    let span_off = args.span == Some(SpanSetting::Off);
    let guard_ident = crate::support::wrap::guard();
    let ret = crate::support::wrap::ret();
    let finish = match (&args.error_if, span_off) {
        // `error_if = path`: the user's function classifies; a type error points at it.
        (Some(path), _) => {
            let classify = quote_spanned! {path.span()=>
                let __monitor_is_error: bool = (#path)(&#ret);
            };
            let record = if span_off {
                TokenStream::new()
            } else {
                quote! {
                    if let ::core::option::Option::Some(span) =
                        #private::CallSpan::as_tracing(#guard_ident.span())
                    {
                        if !span.is_disabled() {
                            #private::record_result(span, __monitor_is_error);
                        }
                    }
                }
            };
            quote!({ #classify #record #guard_ident.finish(__monitor_is_error); })
        }
        (None, true) => quote!(#private::finish_call!(#guard_ident, #ret, no_span);),
        (None, false) => quote!(#private::finish_call!(#guard_ident, #ret);),
    };
    let finish = match (&shape, monitoring.declared(), &sig.output) {
        (CallShape::Sync, Declared::Unsaid, syn::ReturnType::Type(_, ty)) => {
            let check = not_a_future_check(&private, ty, &ret);
            quote!(#check #finish)
        }
        _ => finish,
    };
    // A synchronous body runs with the span entered (nothing to enter without one).
    let (enter_span, leave_span) = if span_off {
        (TokenStream::new(), TokenStream::new())
    } else {
        let entered = crate::support::wrap::local("__monitor_entered");
        (
            quote!(let #entered = #private::CallSpan::enter(#guard_ident.span());),
            quote!(::core::mem::drop(#entered);),
        )
    };
    let span_local = crate::support::wrap::local("__monitor_span");
    let guard = Guard {
        span: quote!(let #span_local = #span;),
        enter: quote!(#private::CallGuard::enter(&__MONITOR_SITE, &#span_local)),
        finish,
        enter_span,
        leave_span,
    };
    (site, guard)
}

/// The check, on the value a function taken for a synchronous one returns, that it
/// is not a future (an alias of a boxed future not named like one): its timing would
/// end when the future is built. Resolved at compile time by autoref specialisation,
/// an inlined no-op for any other type; spanned on the return type, where a returned
/// future fails the build with the fixes (`future` or `future = false`).
fn not_a_future_check(private: &TokenStream, ty: &syn::Type, ret: &syn::Ident) -> TokenStream {
    let span = syn::spanned::Spanned::span(ty);
    quote_spanned! {span=>
        {
            #[allow(unused_imports)]
            use #private::{CheckReturnsAFuture as _, CheckReturnsNoFuture as _};
            #private::assert_not_a_future(
                (&&#private::FutureCheck(&#ret)).__monitor_future_verdict(),
            );
        }
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
    quote!(#private::span_if_enabled!(#level, #label))
}

#[cfg(test)]
mod tests {
    use super::impl_label;

    fn label(block: proc_macro2::TokenStream) -> String {
        impl_label(&syn::parse2(block).expect("an impl block"))
    }

    #[test]
    fn impl_blocks_label_their_methods_apart() {
        assert_eq!(label(quote::quote!(impl Orders {})), "Orders");
        assert_eq!(label(quote::quote!(impl crate::shop::Orders {})), "Orders");
        assert_eq!(label(quote::quote!(impl Foo<u8> {})), "Foo<u8>");
        assert_eq!(label(quote::quote!(impl Foo<u16> {})), "Foo<u16>");
        assert_eq!(
            label(quote::quote!(
                impl<'a, T> Parser<'a, T> {}
            )),
            "Parser<T>"
        );
        assert_eq!(
            label(quote::quote!(impl From<io::Error> for AppError {})),
            "<AppError as From<io::Error>>"
        );
        assert_eq!(
            label(quote::quote!(impl std::convert::From<DbError> for crate::AppError {})),
            "<AppError as From<DbError>>"
        );
        assert_eq!(
            label(quote::quote!(
                impl<T> Convert<Vec<&'static str>> for Wrapper<T> {}
            )),
            "<Wrapper<T> as Convert<Vec<&str>>>"
        );
        assert_eq!(
            label(quote::quote!(impl Handler<(u8, [u32; 4])> for &mut Slot {})),
            "<&mut Slot as Handler<(u8, [u32; 4])>>"
        );
        assert_eq!(
            label(quote::quote!(impl Iterator for Numbers {})),
            "<Numbers as Iterator>"
        );
    }
}
