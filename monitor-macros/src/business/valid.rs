//! The rules a business metric is subject to: every naming rule of its declaration,
//! and what its update expressions read.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::spanned::Spanned;

use super::attr::{LabelSource, MetricDecl};
use crate::naming;
use crate::support::Ctxt;

/// Every naming rule a business metric is subject to.
pub(crate) fn check_metric(cx: &mut Ctxt, metric: &MetricDecl, missing_help: Span) {
    naming::check_metric_name(cx, &metric.name, metric.kind);
    naming::check_help(cx, metric.help.as_ref(), missing_help);
    let names: Vec<(String, TokenStream)> = metric
        .labels
        .iter()
        .map(|label| (label.name(), label.name.tokens.clone()))
        .collect();
    let quoted: Vec<bool> = metric
        .labels
        .iter()
        .map(|label| label.name.quoted)
        .collect();
    naming::check_label_set(cx, &names, &quoted);
    for label in &metric.labels {
        let name = label.name();
        // A secret-looking name is reported once: as the source of the value when the
        // value is read from it (`labels(password)`), as the name otherwise.
        let mut reported = false;
        match &label.source {
            LabelSource::Expr(expr) => {
                for (source, span) in sources(quote::ToTokens::to_token_stream(expr)) {
                    let secret = naming::check_label_source(cx, &source, span);
                    reported |= secret && source == name;
                }
            }
            LabelSource::Given if label.name.ident.is_some() => {
                reported = naming::check_label_source(cx, &name, label.name.tokens.span());
            }
            LabelSource::Given | LabelSource::Const(_) => {}
        }
        if !reported {
            naming::check_label_named_secret(cx, &name, &label.name.tokens);
        }
    }
}

/// The variables and fields an expression reads: an identifier that is neither a
/// path segment followed by `::`, nor a function or method name, nor a macro name.
fn sources(tokens: TokenStream) -> Vec<(String, Span)> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut found = Vec::new();
    for (index, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(group) => found.extend(sources(group.stream())),
            TokenTree::Ident(ident) => {
                let next = trees.get(index + 1);
                let called = matches!(next, Some(TokenTree::Group(group))
                    if group.delimiter() == proc_macro2::Delimiter::Parenthesis);
                let path_or_macro = matches!(next, Some(TokenTree::Punct(punct))
                    if punct.as_char() == ':' || punct.as_char() == '!');
                let name = ident.to_string();
                let keyword = matches!(
                    name.as_str(),
                    "as" | "if"
                        | "else"
                        | "match"
                        | "true"
                        | "false"
                        | "self"
                        | "Self"
                        | "ref"
                        | "mut"
                        | "move"
                        | "let"
                        | "in"
                        | "for"
                        | "loop"
                        | "while"
                        | "return"
                        | "break"
                        | "continue"
                        | "unsafe"
                        | "async"
                        | "await"
                );
                if !called && !path_or_macro && !keyword {
                    found.push((name.trim_start_matches("r#").to_owned(), ident.span()));
                }
            }
            _ => {}
        }
    }
    found
}

/// Whether an expression reads `ret`, the value returned by the function.
pub(crate) fn mentions_ret(tokens: TokenStream) -> bool {
    let mut after_dot = false;
    tokens.into_iter().any(|tree| {
        let found = match &tree {
            TokenTree::Group(group) => mentions_ret(group.stream()),
            TokenTree::Ident(ident) => ident == "ret" && !after_dot,
            // `format!("{ret:?}")` captures it inside a string literal.
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                text.contains("{ret}") || text.contains("{ret:")
            }
            _ => false,
        };
        after_dot = matches!(&tree, TokenTree::Punct(punct) if punct.as_char() == '.');
        found
    })
}
