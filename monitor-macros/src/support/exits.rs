//! Early exits of synchronous bodies. A synchronous wrapped body runs inside a
//! labelled block rather than a closure (a closure would break `#[track_caller]` and
//! functions returning borrows of `&mut self`), so `return` and `?` are rewritten
//! into `break` out of that block, and the result passes through the bookkeeping.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Lifetime, Token, Type};

const BODY_LABEL: &str = "__monitor_body";

/// The label of the block `block` runs in, which rewritten exits break out of:
/// `'__monitor_body`, or, for a body already wrapped by one of our attributes that was
/// not recognised (renamed by `use ... as ...`), the first of `'__monitor_body_1`,
/// `'__monitor_body_2`, … it does not use, so that the labels do not shadow each other.
pub(crate) fn body_label(block: &syn::Block) -> Lifetime {
    let mut taken = Vec::new();
    body_labels(block.to_token_stream(), &mut taken);
    let name = (0..)
        .map(|n| match n {
            0 => BODY_LABEL.to_owned(),
            n => format!("{BODY_LABEL}_{n}"),
        })
        .find(|name| !taken.contains(name))
        .expect("an unused label");
    Lifetime::new(&format!("'{name}"), Span::call_site())
}

/// The names of the lifetimes in `tokens` that could clash with a body label.
fn body_labels(tokens: TokenStream, taken: &mut Vec<String>) {
    let mut after_quote = false;
    for tree in tokens {
        match &tree {
            TokenTree::Ident(ident) if after_quote => {
                let name = ident.to_string();
                if name.starts_with(BODY_LABEL) {
                    taken.push(name);
                }
            }
            TokenTree::Group(group) => body_labels(group.stream(), taken),
            _ => {}
        }
        after_quote = matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == '\'');
    }
}

/// Rewrites `return` and `?` in `block` (outside closures, async blocks and nested
/// items, which have exits of their own) into `break label`. Returns the span of a
/// macro call whose arguments hold an early exit that could not be rewritten, if any.
pub(crate) fn rewrite(
    block: &mut syn::Block,
    label: &Lifetime,
    private: &TokenStream,
) -> Option<Span> {
    let mut rewriter = EarlyExits {
        label: label.clone(),
        private: private.clone(),
        opaque_macro: None,
    };
    rewriter.visit_block_mut(block);
    rewriter.opaque_macro
}

struct EarlyExits {
    label: Lifetime,
    private: TokenStream,
    opaque_macro: Option<Span>,
}

impl VisitMut for EarlyExits {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) | Expr::TryBlock(_) | Expr::Const(_) => {}
            Expr::Return(ret) => {
                if let Some(value) = &mut ret.expr {
                    self.visit_expr_mut(value);
                }
                let span = ret.return_token.span;
                let value = ret
                    .expr
                    .take()
                    .unwrap_or_else(|| syn::parse_quote_spanned!(span=> ()));
                // Built as a tree rather than parsed from tokens, and with the value in
                // an invisible group: `break 'label ::path` would read as a labelled
                // block `'label: …`.
                *expr = Expr::Break(syn::ExprBreak {
                    attrs: std::mem::take(&mut ret.attrs),
                    break_token: Token![break](span),
                    label: Some(self.label.clone()),
                    expr: Some(Box::new(Expr::Group(syn::ExprGroup {
                        attrs: Vec::new(),
                        group_token: syn::token::Group(span),
                        expr: value,
                    }))),
                });
            }
            Expr::Try(question) => {
                self.visit_expr_mut(&mut question.expr);
                let label = &self.label;
                let private = &self.private;
                let inner = &question.expr;
                let span = question.question_token.span;
                *expr = syn::parse_quote_spanned! {span=>
                    match #private::Branch::__monitor_branch(#inner) {
                        ::core::ops::ControlFlow::Continue(__monitor_value) => __monitor_value,
                        ::core::ops::ControlFlow::Break(__monitor_residual) => {
                            let __monitor_exit =
                                #private::FromResidual::__monitor_from_residual(__monitor_residual);
                            break #label __monitor_exit
                        }
                    }
                };
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if !has_early_exit(mac.tokens.clone()) {
            return;
        }
        if let Ok(mut args) =
            Punctuated::<Expr, Token![,]>::parse_terminated.parse2(mac.tokens.clone())
        {
            for arg in args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.into_token_stream();
        } else if let Ok((mut value, semi, mut count)) = repeat.parse2(mac.tokens.clone()) {
            // `vec![value; count]`
            self.visit_expr_mut(&mut value);
            self.visit_expr_mut(&mut count);
            mac.tokens = quote::quote!(#value #semi #count);
        } else {
            self.opaque_macro.get_or_insert(mac.span());
        }
    }
}

/// The arguments of `vec![value; count]`.
fn repeat(input: syn::parse::ParseStream) -> syn::Result<(Expr, Token![;], Expr)> {
    Ok((input.parse()?, input.parse()?, input.parse()?))
}

/// Whether macro input tokens hold `?` or `return` (outside closures is not knowable
/// from tokens, so any occurrence counts).
fn has_early_exit(tokens: TokenStream) -> bool {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    trees.iter().enumerate().any(|(index, tree)| match tree {
        TokenTree::Punct(punct) => punct.as_char() == '?' && is_try(&trees, index),
        TokenTree::Ident(ident) => ident == "return",
        TokenTree::Group(group) => has_early_exit(group.stream()),
        TokenTree::Literal(_) => false,
    })
}

/// Whether the `?` at `index` is the try operator: it follows an operand (`x?`,
/// `f()?`, `x??`), unlike the `?` of a `?Sized` bound (`T: ?Sized`, `+ ?Sized`).
fn is_try(trees: &[TokenTree], index: usize) -> bool {
    let after_operand = match index.checked_sub(1).map(|previous| &trees[previous]) {
        Some(TokenTree::Ident(ident)) => ident != "impl" && ident != "dyn",
        Some(TokenTree::Literal(_) | TokenTree::Group(_)) => true,
        Some(TokenTree::Punct(punct)) => punct.as_char() == '?',
        None => false,
    };
    let bound = matches!(trees.get(index + 1), Some(TokenTree::Ident(ident)) if ident == "Sized");
    after_operand && !bound
}

/// The return type with every `impl Trait` replaced by `_`, usable as the type of a
/// local binding.
pub(crate) fn erase_impl_trait(ty: &Type) -> Type {
    struct Eraser;
    impl VisitMut for Eraser {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(imp) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: Token![_](imp.impl_token.span),
                });
            } else {
                visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    let mut ty = ty.clone();
    Eraser.visit_type_mut(&mut ty);
    ty
}
