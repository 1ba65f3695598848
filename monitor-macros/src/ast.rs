//! What the user annotated: a function (free or method) or an `impl` block.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, ImplItemFn, ItemImpl, ReturnType, Signature, Type, Visibility};

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

/// How a function's call is delimited in time.
pub(crate) enum CallShape {
    /// Runs to completion when called.
    Sync,
    /// `async fn`: the call lasts until its future completes.
    AsyncFn,
    /// Returns `impl Future<Output = T>` (`boxed: false`) or
    /// `Pin<Box<dyn Future<Output = T>>>` (`boxed: true`, as `#[async_trait]` writes):
    /// the call lasts until the returned future completes.
    Future { output: Box<Type>, boxed: bool },
}

pub(crate) fn call_shape(sig: &Signature) -> CallShape {
    if sig.asyncness.is_some() {
        return CallShape::AsyncFn;
    }
    let ReturnType::Type(_, ty) = &sig.output else {
        return CallShape::Sync;
    };
    if let Some(output) = impl_future_output(ty) {
        return CallShape::Future {
            output: Box::new(output),
            boxed: false,
        };
    }
    if let Some(output) = boxed_future_output(ty) {
        return CallShape::Future {
            output: Box::new(output),
            boxed: true,
        };
    }
    CallShape::Sync
}

fn future_output(
    bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>,
) -> Option<Type> {
    bounds.iter().find_map(|bound| {
        let syn::TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let last = bound.path.segments.last()?;
        if last.ident != "Future" {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output" => {
                Some(assoc.ty.clone())
            }
            _ => None,
        })
    })
}

fn impl_future_output(ty: &Type) -> Option<Type> {
    match ty {
        Type::ImplTrait(imp) => future_output(&imp.bounds),
        Type::Paren(inner) => impl_future_output(&inner.elem),
        Type::Group(inner) => impl_future_output(&inner.elem),
        _ => None,
    }
}

fn boxed_future_output(ty: &Type) -> Option<Type> {
    let pin = single_generic(ty, "Pin")?;
    let boxed = single_generic(pin, "Box")?;
    match boxed {
        Type::TraitObject(object) => future_output(&object.bounds),
        _ => None,
    }
}

fn single_generic<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Outer and inner attributes of a function, apart.
pub(crate) fn split_attrs(attrs: Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    attrs
        .into_iter()
        .partition(|attr| matches!(attr.style, syn::AttrStyle::Outer))
}

/// Whether `attr` is `#[monitored]` (possibly through a path, like
/// `#[monitor_runtime::monitored]`).
pub(crate) fn is_monitored_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| segment.ident == "monitored")
}
