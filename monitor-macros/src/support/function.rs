//! The function model shared by the attributes that wrap a body: how a call is
//! delimited in time (its [`CallShape`]), its outer and inner attributes, and which of
//! its attributes are ours.

use std::fmt::Display;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::{Attribute, ImplItemFn, ReturnType, Signature, Type};

use super::ctxt::Ctxt;

/// A function whose attributes of ours have errors: the function as written minus
/// those attributes (whose errors are all in `errors`, so that they are not reported
/// twice), to be emitted with the errors.
pub(crate) struct Failed {
    pub(crate) function: ImplItemFn,
    pub(crate) errors: Ctxt,
}

/// How a function's call is delimited in time.
pub(crate) enum CallShape {
    /// Runs to completion when called.
    Sync,
    /// `async fn`: the call lasts until its future completes.
    AsyncFn,
    /// Returns `impl Future<Output = T>` (`boxed: false`) or a boxed future
    /// (`boxed: true`): `Pin<Box<dyn Future<Output = T>>>` as `#[async_trait]` writes
    /// it, `BoxFuture<'_, T>` or `LocalBoxFuture<'_, T>`, or a type the user said is
    /// a boxed future (`output: None`, its output unknown). The call lasts until the
    /// returned future completes.
    Future {
        output: Option<Box<Type>>,
        boxed: bool,
    },
}

/// Whether the user said what the return type is (`#[monitored(future)]`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) enum Declared {
    /// Nothing said: the shape is read from the signature.
    #[default]
    Unsaid,
    /// A boxed future whose type the macro cannot see (an alias, `Self::Future`).
    Future,
    /// Not a future, whatever its name.
    NotFuture,
}

pub(crate) fn call_shape(sig: &Signature, declared: Declared) -> CallShape {
    if sig.asyncness.is_some() {
        return CallShape::AsyncFn;
    }
    let ReturnType::Type(_, ty) = &sig.output else {
        return CallShape::Sync;
    };
    if let Some(output) = impl_future_output(ty) {
        return CallShape::Future {
            output: Some(Box::new(output)),
            boxed: false,
        };
    }
    if declared == Declared::NotFuture {
        return CallShape::Sync;
    }
    if let Some(output) = boxed_future_output(ty).or_else(|| box_future_alias_output(ty)) {
        return CallShape::Future {
            output: Some(Box::new(output)),
            boxed: true,
        };
    }
    if declared == Declared::Future {
        return CallShape::Future {
            output: None,
            boxed: true,
        };
    }
    CallShape::Sync
}

/// A return type named like a future (its last segment ends in `Future`) that
/// [`call_shape`] does not recognise (`Self::Future`, `ResponseFuture<T>`): timing its
/// construction would be wrong, so the attributes ask what it is.
pub(crate) fn unrecognised_future(sig: &Signature) -> Option<&Type> {
    if !matches!(call_shape(sig, Declared::Unsaid), CallShape::Sync) {
        return None;
    }
    let ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let Type::Path(path) = strip(ty) else {
        return None;
    };
    let last = path.path.segments.last()?.ident.to_string();
    last.ends_with("Future").then_some(&**ty)
}

fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Paren(inner) => strip(&inner.elem),
        Type::Group(inner) => strip(&inner.elem),
        other => other,
    }
}

/// The output of `BoxFuture<'a, T>` and `LocalBoxFuture<'a, T>` (the aliases of
/// `futures`), recognised by their last path segment.
fn box_future_alias_output(ty: &Type) -> Option<Type> {
    let Type::Path(path) = strip(ty) else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "BoxFuture" && last.ident != "LocalBoxFuture" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(output) => Some(output.clone()),
        _ => None,
    })
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
    /// The attribute's path as written (`business_metric`, `monitor_runtime::monitored`).
    pub(crate) path: syn::Path,
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
            path: attr.path().clone(),
            args,
            span: AttrSpan::Absorbed(attr.to_token_stream()),
        });
        false
    });
    ours
}
