//! Collects every error found while expanding one attribute (and the attributes it
//! absorbs), so that the user sees all of them in one build; and emits the user's item
//! alongside them.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Option<syn::Error>,
}

impl Ctxt {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.errors {
            Some(errors) => errors.combine(error),
            None => self.errors = Some(error),
        }
    }

    pub(crate) fn error_spanned_by(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Takes over the errors of `other`, after this one's.
    pub(crate) fn append(&mut self, other: Ctxt) {
        if let Some(errors) = other.errors {
            self.push(errors);
        }
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.errors.is_some()
    }

    /// The errors as `compile_error!` invocations (empty when there are none).
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.errors
            .map(|errors| errors.to_compile_error())
            .unwrap_or_default()
    }
}

/// The user's item unchanged, followed by the errors: the item stays visible to the
/// compiler and to rust-analyzer, so one mistake does not cascade into many.
pub(crate) fn with_errors(item: impl ToTokens, cx: Ctxt) -> TokenStream {
    let errors = cx.into_compile_errors();
    quote!(#item #errors)
}
