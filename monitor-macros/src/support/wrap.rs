//! The one body wrapper. Every attribute that wraps a function's body (`#[monitored]`,
//! `#[business_metric]`, and any stack of them on one function) goes through
//! [`wrap`], which rewrites the body once for its call shape (sync, `async fn`, or a
//! returned future), binds the returned value once, and places what each attribute
//! adds around it:
//!
//! ```text
//! items                          statics: descriptors and their registrations
//! guard entered                  when the call is timed (`#[monitored]`)
//! start                          evaluated when the call starts, before the body
//! let __monitor_ret = body;      one labelled block, or one `.await`
//! end                            evaluated after the body returned, reading `__monitor_ret`
//! guard finished
//! __monitor_ret
//! ```
//!
//! A returned future (`impl Future`, the boxed future `#[async_trait]` writes,
//! `BoxFuture<'_, T>`, or a type declared a future with `#[monitored(future)]`) is
//! built at call time, after `start`; the guard, `end` and the finish run when it
//! completes, and a boxed one is boxed again around them.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{ImplItemFn, ReturnType};

use super::ctxt::Ctxt;
use super::exits;
use super::function::{self, CallShape};

/// A local of the generated code. Mixed-site hygiene makes it unreachable from the
/// user's tokens: a body cannot read (or shadow) it, and a name of the user's in
/// scope, even `__monitor_guard`, still means the user's item in the body.
pub(crate) fn local(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::mixed_site())
}

/// The local the returned value is bound to, which `end` and the guard's `finish`
/// read.
pub(crate) fn ret() -> syn::Ident {
    local("__monitor_ret")
}

/// The local the call guard is bound to, which the guard's `finish` consumes.
pub(crate) fn guard() -> syn::Ident {
    local("__monitor_guard")
}

/// A guard over the whole call, which times it and sees a panic or a dropped future.
pub(crate) struct Guard {
    /// The statement that makes the call's span, a local the guard borrows (made
    /// before the guard, dropped after it).
    pub(crate) span: TokenStream,
    /// The expression that enters the guard, bound to [`guard()`].
    pub(crate) enter: TokenStream,
    /// Statements that finish the call, with the value bound to [`ret()`].
    pub(crate) finish: TokenStream,
    /// A synchronous body runs between these: entering the guard's span and leaving it
    /// (both empty without a span).
    pub(crate) enter_span: TokenStream,
    pub(crate) leave_span: TokenStream,
}

/// What the attributes of one function add around its body.
pub(crate) struct Wrapper {
    /// The runtime path the rewritten early exits use.
    pub(crate) private: TokenStream,
    /// The error reported at a macro call whose early exit cannot be rewritten.
    pub(crate) opaque_exit: &'static str,
    /// Items placed first in the body.
    pub(crate) items: TokenStream,
    pub(crate) guard: Option<Guard>,
    /// Statements run when the call starts, before the body.
    pub(crate) start: TokenStream,
    /// Statements run after the body returned, reading [`ret()`].
    pub(crate) end: TokenStream,
    /// What the user said the return type is.
    pub(crate) declared: function::Declared,
}

/// `function` with its body wrapped.
pub(crate) fn wrap(cx: &mut Ctxt, function: ImplItemFn, wrapper: Wrapper) -> TokenStream {
    let ImplItemFn {
        attrs,
        vis,
        defaultness,
        sig,
        mut block,
    } = function;
    let (outer_attrs, inner_attrs) = function::split_attrs(attrs);
    let Wrapper {
        private,
        opaque_exit,
        items,
        guard,
        start,
        end,
        declared,
    } = wrapper;
    let ret = ret();
    let (enter, finish, enter_span, leave_span) = match guard {
        Some(guard) => (
            Some((guard.span, guard.enter)),
            guard.finish,
            guard.enter_span,
            guard.leave_span,
        ),
        None => Default::default(),
    };
    let label = exits::body_label(&block);
    let mut rewrite_exits = |block: &mut syn::Block| {
        if let Some(span) = exits::rewrite(block, &label, &private) {
            cx.push(syn::Error::new(span, opaque_exit));
        }
    };

    let body = match function::call_shape(&sig, declared) {
        CallShape::AsyncFn => {
            let ret_ty = return_type(&sig.output);
            let stmts = &block.stmts;
            let (enter, future) = tracked(enter, quote!(async move { #(#stmts)* }));
            quote! {
                #enter
                #start
                let #ret: #ret_ty = #future.await;
                #end
                #finish
                #ret
            }
        }
        CallShape::Future { output, boxed } => {
            let output = output.map(|output| {
                let output = exits::erase_impl_trait(&output);
                quote!(: #output)
            });
            rewrite_exits(&mut block);
            let stmts = &block.stmts;
            let built = local("__monitor_future");
            let (enter, future) = tracked(enter, quote!(#built));
            let future = quote! {
                async move {
                    #enter
                    let #ret #output = #future.await;
                    #end
                    #finish
                    #ret
                }
            };
            let future = if boxed {
                quote!(::std::boxed::Box::pin(#future))
            } else {
                future
            };
            quote! {
                #start
                #[allow(clippy::diverging_sub_expression)]
                let #built = #label: { #(#stmts)* };
                #future
            }
        }
        CallShape::Sync => {
            let guard = self::guard();
            let enter = enter.map(|(span, enter)| quote!(#span let #guard = #enter;));
            let diverges = matches!(&sig.output, ReturnType::Type(_, ty) if matches!(**ty, syn::Type::Never(_)));
            if diverges {
                // Nothing runs after a body that never returns: the guard sees its
                // panic, or the process ends.
                let stmts = &block.stmts;
                quote! {
                    #enter
                    #enter_span
                    #start
                    #(#stmts)*
                }
            } else {
                let ret_ty = return_type(&sig.output);
                rewrite_exits(&mut block);
                let stmts = &block.stmts;
                quote! {
                    #enter
                    #enter_span
                    #start
                    // The body's own statements, not a sub-expression of ours.
                    #[allow(clippy::diverging_sub_expression)]
                    let #ret: #ret_ty = #label: { #(#stmts)* };
                    // A body that diverges (it always panics) makes the bookkeeping
                    // unreachable; that is expected, not the user's mistake.
                    #[allow(unreachable_code)]
                    let #ret: #ret_ty = {
                        #end
                        #leave_span
                        #finish
                        #ret
                    };
                    #ret
                }
            }
        }
    };

    quote! {
        #(#outer_attrs)*
        #vis #defaultness #sig {
            #(#inner_attrs)*
            #items
            #body
        }
    }
}

/// Entering the guard of an asynchronous call, if there is one, and `future` tracked
/// by it, so that a dropped future is seen.
fn tracked(
    enter: Option<(TokenStream, TokenStream)>,
    future: TokenStream,
) -> (TokenStream, TokenStream) {
    let guard = guard();
    match enter {
        Some((span, enter)) => (
            quote!(#span let mut #guard = #enter;),
            quote!(#guard.track(#future)),
        ),
        None => (TokenStream::new(), future),
    }
}

fn return_type(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => exits::erase_impl_trait(ty).into_token_stream(),
    }
}
