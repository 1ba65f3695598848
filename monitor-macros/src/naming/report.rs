//! Findings turned into errors spanned on what the user wrote.

use proc_macro2::Span;

use super::rules::Finding;
use crate::support::Ctxt;

/// Reports `finding` as an error spanned on `span`.
pub(crate) fn report(cx: &mut Ctxt, span: Span, finding: &Finding) {
    cx.push(syn::Error::new(span, finding.render()));
}

/// Reports `finding` as an error spanned on all of `tokens` (an expression such as
/// `-1.0` spans more than its first token).
pub(crate) fn report_spanned(cx: &mut Ctxt, tokens: impl quote::ToTokens, finding: &Finding) {
    cx.push(syn::Error::new_spanned(tokens, finding.render()));
}
