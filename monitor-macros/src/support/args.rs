//! Helpers for reading attribute arguments, shared by every macro: the key of an
//! argument, string literals, and the `crate = "..."` override with the path generated
//! code reaches the runtime by.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Lit, LitStr, Token};

use super::ctxt::Ctxt;

/// One `key`, `key = value` or `key(...)` argument.
pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: ArgValue,
}

pub(crate) enum ArgValue {
    Flag,
    Expr(Expr),
    List(TokenStream),
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key = input.call(Ident::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            ArgValue::Expr(input.parse()?)
        } else if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            ArgValue::List(content.parse()?)
        } else {
            ArgValue::Flag
        };
        Ok(Arg { key, value })
    }
}

pub(crate) fn parse_args(cx: &mut Ctxt, tokens: TokenStream) -> Vec<Arg> {
    match Punctuated::<Arg, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(args) => args.into_iter().collect(),
        Err(error) => {
            cx.push(error);
            Vec::new()
        }
    }
}

/// An argument's key as written: `name`, or `a::b` for a path.
pub(crate) fn meta_key(meta: &syn::Meta) -> String {
    meta.path()
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// The string literal `expr` is, if it is one.
pub(crate) fn string(expr: &Expr) -> Option<&LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit),
        _ => None,
    }
}

/// The value of `crate = "..."`: the path of the runtime crate when it is renamed. An
/// error spanned on `error_at` when `value` is not a string holding a path.
pub(crate) fn crate_path(
    cx: &mut Ctxt,
    value: Option<&Expr>,
    error_at: impl ToTokens,
) -> Option<syn::Path> {
    match value.and_then(string).map(|lit| lit.parse::<syn::Path>()) {
        Some(Ok(path)) => Some(path),
        _ => {
            cx.error_spanned_by(
                error_at,
                "`crate` takes the path of the runtime crate as a string, e.g. \
                 `crate = \"my_monitor\"`",
            );
            None
        }
    }
}

/// The path generated code reaches the runtime by: `::monitor_runtime::__private`, or
/// the `crate = "..."` override's.
pub(crate) fn private_path(krate: Option<&syn::Path>) -> proc_macro2::TokenStream {
    match krate {
        Some(krate) => quote::quote!(#krate::__private),
        None => quote::quote!(::monitor_runtime::__private),
    }
}

/// The value of a flag such as `critical = false` or `future = true`: `true` or
/// `false`; anything else is an error spanned on it. (`key` alone, for `true`, is
/// handled by the caller.)
pub(crate) fn flag(cx: &mut Ctxt, key: &str, value: &Expr) -> Option<bool> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Bool(flag),
            ..
        }) => Some(flag.value),
        other => {
            cx.error_spanned_by(
                other,
                format!("`{key}` takes `true` or `false`, or stands alone for `true`"),
            );
            None
        }
    }
}
