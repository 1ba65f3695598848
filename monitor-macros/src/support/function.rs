//! The function model shared by the attributes that wrap a body: how a call is
//! delimited in time (its [`CallShape`]), its outer and inner attributes, and which of
//! its attributes are ours.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{Attribute, ReturnType, Signature, Type};

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

/// The attributes of ours that wrap a function's body, recognised by the last segment
/// of their path (`#[monitored]`, `#[monitor_runtime::monitored]`); one renamed by
/// `use ... as ...` is not recognised.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ours {
    Monitored,
    BusinessMetric,
}

impl Ours {
    pub(crate) fn of(attr: &Attribute) -> Option<Ours> {
        let last = attr.path().segments.last()?;
        if last.ident == "monitored" {
            Some(Ours::Monitored)
        } else if last.ident == "business_metric" {
            Some(Ours::BusinessMetric)
        } else {
            None
        }
    }
}

/// Whether `attr` is `#[monitored]` (possibly through a path, like
/// `#[monitor_runtime::monitored]`).
pub(crate) fn is_monitored_attr(attr: &Attribute) -> bool {
    Ours::of(attr) == Some(Ours::Monitored)
}

/// Where an error about a whole attribute points: the attribute being expanded (the
/// macro's call site), or one it absorbed.
pub(crate) enum AttrSpan {
    CallSite,
    Absorbed(TokenStream),
}

impl AttrSpan {
    pub(crate) fn error(&self, message: impl Display) -> syn::Error {
        match self {
            AttrSpan::CallSite => syn::Error::new(Span::call_site(), message),
            AttrSpan::Absorbed(tokens) => syn::Error::new_spanned(tokens, message),
        }
    }
}

/// An attribute of ours still on a function, taken off it to be expanded with the
/// attribute that found it.
pub(crate) struct Absorbed {
    pub(crate) kind: Ours,
    /// The arguments: the tokens inside `#[name(...)]`, empty for `#[name]`.
    pub(crate) args: TokenStream,
    pub(crate) span: AttrSpan,
}

/// Takes the outer attributes of ours off `attrs`, in declaration order; attributes of
/// other macros stay in place and in order.
pub(crate) fn take_ours(attrs: &mut Vec<Attribute>) -> Vec<Absorbed> {
    let mut ours = Vec::new();
    attrs.retain(|attr| {
        let kind = match Ours::of(attr) {
            Some(kind) if matches!(attr.style, syn::AttrStyle::Outer) => kind,
            _ => return true,
        };
        let args = match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => TokenStream::new(),
        };
        ours.push(Absorbed {
            kind,
            args,
            span: AttrSpan::Absorbed(attr.to_token_stream()),
        });
        false
    });
    ours
}
