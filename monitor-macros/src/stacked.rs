//! The attributes of ours on one function, expanded together. The first of them to
//! expand (`#[monitored]` or `#[business_metric]`, in either order) takes the others
//! still on the function off it and emits one wrapper: one call guard when the
//! function is monitored, one rewrite of the body for its call shape, one binding of
//! the returned value, and each business metric's start and end in declaration order.
//! Attributes of other macros stay in place and in order.
//!
//! Whatever the order of the attributes, a monitored function's business metrics are
//! evaluated inside its guard (and, for a synchronous body, its span): their start
//! after the guard is entered, their end before it is finished. Attributes of ours
//! reached through a renamed import are not recognised, so not absorbed: they wrap
//! the wrapper, with a body label of their own (`support::exits::body_label`).
//!
//! This is the one module that knows both attributes, and it drives them: the entry
//! points of both reach their folders through it, and neither folder imports it back
//! (each takes how to expand a function as an argument). `support::wrap` knows
//! neither.

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use syn::ImplItemFn;

use crate::business::{self, BusinessArgs};
use crate::monitored::{self, Monitoring};
use crate::support::function::{self, AttrSpan, Declared, Failed, Ours};
use crate::support::{Ctxt, Wrapper, with_errors, wrap};

/// The attributes of ours on a function, parsed.
struct Stack {
    monitored: Option<Monitoring>,
    /// Each `#[business_metric]` in declaration order; `None` for one whose metric is
    /// missing (already reported).
    business: Vec<Option<BusinessArgs>>,
    /// The arguments of each `#[business_metric]` as written, to find repeats.
    business_written: Vec<String>,
}

impl Stack {
    /// The stack `#[monitored]` starts when it expands first.
    fn monitored(monitoring: Monitoring) -> Stack {
        Stack {
            monitored: Some(monitoring),
            business: Vec::new(),
            business_written: Vec::new(),
        }
    }

    /// The stack `#[business_metric]` starts when it expands first; `written` is its
    /// arguments as written.
    fn business(args: Option<BusinessArgs>, written: &TokenStream) -> Stack {
        Stack {
            monitored: None,
            business: vec![args],
            business_written: vec![written.to_string()],
        }
    }
}

/// `#[monitored]`: each function it is on expanded with the attributes of ours
/// stacked on it.
pub(crate) fn monitored(args: TokenStream, item: TokenStream) -> TokenStream {
    monitored::monitored(args, item, &mut |cx, function, monitoring| {
        expand(cx, function, Stack::monitored(monitoring))
    })
}

/// `#[business_metric]`: the function it is on expanded with the attributes of ours
/// stacked on it.
pub(crate) fn business_metric(args: TokenStream, item: TokenStream) -> TokenStream {
    let written = args.clone();
    business::business_metric(args, item, |cx, function, parsed| {
        expand_or_item(cx, function, Stack::business(parsed, &written))
    })
}

/// [`expand`], or on error the function without our attributes followed by the
/// errors.
fn expand_or_item(cx: Ctxt, function: ImplItemFn, stack: Stack) -> TokenStream {
    match expand(cx, function, stack) {
        Ok(expanded) => expanded,
        Err(failed) => with_errors(failed.function, failed.errors),
    }
}

/// Expands `function` with `stack` and the attributes of ours still on it.
fn expand(
    mut cx: Ctxt,
    mut function: ImplItemFn,
    mut stack: Stack,
) -> Result<TokenStream, Box<Failed>> {
    let mut again: Vec<AttrSpan> = Vec::new();
    // Each absorbed attribute's path is named once more in the expansion, so that
    // its import counts as used (rustc would otherwise call it unused, and removing
    // it would break the other order of the attributes).
    let mut markers = TokenStream::new();
    for absorbed in function::take_ours(&mut function.attrs) {
        let path = &absorbed.path;
        markers.extend(quote::quote! {
            #[#path(__monitor_absorbed)]
            const _: () = ();
        });
        match absorbed.kind {
            Ours::Monitored if stack.monitored.is_some() => again.push(absorbed.span),
            Ours::Monitored => stack.monitored = Some(monitored::parse(&mut cx, absorbed.args)),
            Ours::BusinessMetric => {
                let written = absorbed.args.to_string();
                if stack.business_written.contains(&written) {
                    // Both would update the metric: each call would count twice.
                    cx.push(absorbed.span.error(
                        "this `#[business_metric]` repeats another one on this function, so \
                         each call would update the metric twice; remove one (to count by \
                         2, give one of them `amount = 2`)",
                    ));
                }
                stack.business_written.push(written);
                let args = business::parse(&mut cx, absorbed.args, &absorbed.span);
                stack.business.push(args);
            }
        }
    }
    if let Some(monitoring) = &stack.monitored {
        monitored::check_function(&mut cx, monitoring, &function, &again);
    }
    if !stack.business.is_empty() {
        business::check_function(&mut cx, &function);
    }
    let declared = stack
        .monitored
        .as_ref()
        .map_or(Declared::Unsaid, Monitoring::declared);
    if declared == Declared::Unsaid
        && let Some(ty) = function::unrecognised_future(&function.sig)
    {
        cx.error_spanned_by(
            ty,
            unrecognised_future_message(ty, stack.monitored.is_some()),
        );
    }
    if cx.has_errors() {
        return Err(Box::new(Failed {
            function,
            errors: cx,
        }));
    }

    let mut wrapper = Wrapper {
        private: TokenStream::new(),
        opaque_exit: business::OPAQUE_EXIT,
        items: markers,
        guard: None,
        start: TokenStream::new(),
        end: TokenStream::new(),
        declared,
    };
    let business_args: Vec<&BusinessArgs> = stack.business.iter().flatten().collect();
    if let Some(monitoring) = &stack.monitored {
        let (site, guard) = monitored::guard(monitoring, &function.sig);
        wrapper.private = monitored::private(monitoring);
        wrapper.opaque_exit = monitored::OPAQUE_EXIT;
        wrapper.items.extend(site);
        wrapper.guard = Some(guard);
    } else if let Some(first) = business_args.first() {
        wrapper.private = business::private(first);
    }
    for (index, args) in business_args.into_iter().enumerate() {
        let part = business::part(args, index);
        wrapper.items.extend(part.items);
        wrapper.start.extend(part.start);
        wrapper.end.extend(part.end);
    }
    let fallback = function.clone();
    let expanded = wrap(&mut cx, function, wrapper);
    if cx.has_errors() {
        return Err(Box::new(Failed {
            function: fallback,
            errors: cx,
        }));
    }
    Ok(expanded)
}

/// Whether `args` are those of the marker [`expand`] leaves for an absorbed
/// attribute: `#[business_metric(__monitor_absorbed)]` on a `const _` item expands to
/// nothing.
pub(crate) fn is_marker(args: &TokenStream) -> bool {
    let mut tokens = args.clone().into_iter();
    matches!(
        (tokens.next(), tokens.next()),
        (Some(proc_macro2::TokenTree::Ident(ident)), None) if ident == "__monitor_absorbed"
    )
}

/// Why a return type named like a future is refused, and the fixes.
fn unrecognised_future_message(ty: &syn::Type, monitored: bool) -> String {
    let ty = quote::ToTokens::to_token_stream(ty)
        .to_string()
        .replace(" :: ", "::")
        .replace(" < ", "<")
        .replace(" >", ">");
    let declare = if monitored {
        "`#[monitored(future)]`"
    } else {
        "`#[monitored(future)]` above it"
    };
    format!(
        "`{ty}` looks like a future whose type the attribute cannot see: it would time only \
         the construction of the future and count every call as `ok`. If it is a boxed future \
         (`Pin<Box<dyn Future<Output = T>>>` behind an alias or an associated type), write \
         {declare} to time it to completion; otherwise return `impl Future<Output = T>`, \
         or write `#[monitored(future = false)]` if it is not a future"
    )
}
