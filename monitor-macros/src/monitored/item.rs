//! What `#[monitored]` accepts: a function (free or a method) or an `impl` block, and
//! the explanation when it is given anything else.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, ImplItemFn, ItemImpl, Signature, Visibility};

pub(crate) enum Annotated {
    Fn(ImplItemFn),
    Impl(ItemImpl),
}

/// Parses the annotated item, or explains why it cannot be monitored.
pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Annotated> {
    if let Ok(function) = syn::parse2::<ImplItemFn>(tokens.clone()) {
        return Ok(Annotated::Fn(function));
    }
    if let Ok(declaration) = syn::parse2::<BodylessFn>(tokens.clone()) {
        return Err(syn::Error::new(
            declaration.sig.fn_token.span,
            "`#[monitored]` needs a function body: put it on the method in the `impl` block, \
             not on its declaration in the trait",
        ));
    }
    let item: syn::Item = syn::parse2(tokens)?;
    match item {
        syn::Item::Impl(block) => Ok(Annotated::Impl(block)),
        other => {
            let what = describe(&other);
            let hint = match other {
                syn::Item::Trait(_) => {
                    "annotate the methods of its `impl` blocks, or the blocks themselves"
                }
                _ => "annotate the functions that do the work",
            };
            Err(syn::Error::new(
                item_span(&other),
                format!(
                    "`#[monitored]` goes on a function or an `impl` block, not on {what}; {hint}"
                ),
            ))
        }
    }
}

/// `fn f(&self);` as written in a trait declaration.
struct BodylessFn {
    sig: Signature,
}

impl Parse for BodylessFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let _attrs = input.call(Attribute::parse_outer)?;
        let _vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        input.parse::<syn::Token![;]>()?;
        Ok(Self { sig })
    }
}

fn describe(item: &syn::Item) -> &'static str {
    match item {
        syn::Item::Struct(_) => "a struct",
        syn::Item::Enum(_) => "an enum",
        syn::Item::Union(_) => "a union",
        syn::Item::Trait(_) => "a trait declaration",
        syn::Item::Mod(_) => "a module",
        syn::Item::Const(_) => "a constant",
        syn::Item::Static(_) => "a static",
        syn::Item::Type(_) => "a type alias",
        syn::Item::Use(_) => "a `use` declaration",
        syn::Item::Macro(_) => "a macro invocation",
        syn::Item::ForeignMod(_) => "an `extern` block",
        _ => "this item",
    }
}

fn item_span(item: &syn::Item) -> proc_macro2::Span {
    match item {
        syn::Item::Struct(item) => item.struct_token.span,
        syn::Item::Enum(item) => item.enum_token.span,
        syn::Item::Union(item) => item.union_token.span,
        syn::Item::Trait(item) => item.trait_token.span,
        syn::Item::Mod(item) => item.mod_token.span,
        syn::Item::Const(item) => item.const_token.span,
        syn::Item::Static(item) => item.static_token.span,
        syn::Item::Type(item) => item.type_token.span,
        other => other.span(),
    }
}
