//! Reading attribute arguments, the one way every macro does: `key`, `key = value`
//! and `key(...)` arguments ([`Arg`]), checked against what a place accepts
//! ([`Arguments`], with "did you mean" suggestions); string literals, flags, and the
//! `crate = "..."` override with the path generated code reaches the runtime by.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Lit, LitStr, Token};

use super::ctxt::Ctxt;

/// One `key`, `key = value` or `key(...)` argument, as every attribute reads it.
pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: ArgValue,
    /// The argument as written, for errors about all of it.
    written: TokenStream,
}

pub(crate) enum ArgValue {
    Flag,
    Expr(Expr),
    List(TokenStream),
}

impl Arg {
    /// The key without `r#`.
    pub(crate) fn name(&self) -> String {
        self.key.unraw().to_string()
    }

    /// The key and the value, for a reader that takes them apart.
    pub(crate) fn into_parts(self) -> (Ident, ArgValue) {
        (self.key, self.value)
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key = input.call(Ident::parse_any)?;
        let mut written = key.to_token_stream();
        let value = if input.peek(Token![=]) {
            let eq: Token![=] = input.parse()?;
            let expr: Expr = input.parse()?;
            eq.to_tokens(&mut written);
            expr.to_tokens(&mut written);
            ArgValue::Expr(expr)
        } else if input.peek(syn::token::Paren) {
            let group: proc_macro2::Group = input.parse()?;
            let list = group.stream();
            written.extend([proc_macro2::TokenTree::Group(group)]);
            ArgValue::List(list)
        } else {
            ArgValue::Flag
        };
        Ok(Arg {
            key,
            value,
            written,
        })
    }
}

impl ToTokens for Arg {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(self.written.clone());
    }
}

/// `tokens` as comma-separated arguments; a syntax error is reported and reads as none.
pub(crate) fn parse_args(cx: &mut Ctxt, tokens: TokenStream) -> Vec<Arg> {
    match Punctuated::<Arg, Token![,]>::parse_terminated.parse2(tokens) {
        Ok(args) => args.into_iter().collect(),
        Err(error) => {
            cx.push(error);
            Vec::new()
        }
    }
}

/// The arguments one attribute, or one list inside it, accepts, and those it has
/// read: every attribute checks its arguments' names through one of these, so that
/// an unknown, misplaced or repeated argument is reported alike everywhere, an
/// unknown one with the closest known name when one is close.
pub(crate) struct Arguments {
    /// How errors name the place: `` `#[monitored]` ``, `` `objective(...)` ``.
    place: &'static str,
    /// The names accepted here.
    known: &'static [&'static str],
    /// The accepted forms, listed after "expected one of".
    expected: &'static str,
    /// Names that may be given more than once.
    repeatable: &'static [&'static str],
    /// The error for a name that is not accepted here but means something elsewhere.
    misplaced: fn(&str) -> Option<String>,
    seen: Vec<String>,
    rejected: bool,
}

impl Arguments {
    pub(crate) fn new(
        place: &'static str,
        known: &'static [&'static str],
        expected: &'static str,
    ) -> Arguments {
        Arguments {
            place,
            known,
            expected,
            repeatable: &[],
            misplaced: |_| None,
            seen: Vec::new(),
            rejected: false,
        }
    }

    /// Names that may be given more than once (their owner checks how).
    pub(crate) fn repeatable(mut self, names: &'static [&'static str]) -> Arguments {
        self.repeatable = names;
        self
    }

    /// The error for names known elsewhere, instead of "unknown argument".
    pub(crate) fn misplaced(mut self, message: fn(&str) -> Option<String>) -> Arguments {
        self.misplaced = message;
        self
    }

    /// The arguments of `tokens` that are accepted here; the others are reported.
    pub(crate) fn read(&mut self, cx: &mut Ctxt, tokens: TokenStream) -> Vec<Arg> {
        parse_args(cx, tokens)
            .into_iter()
            .filter(|arg| self.accept(cx, arg))
            .collect()
    }

    /// Whether `arg` is accepted here: known, and not given before unless it may be
    /// repeated. The error when it is not is reported, spanned on its key.
    pub(crate) fn accept(&mut self, cx: &mut Ctxt, arg: &Arg) -> bool {
        let name = arg.name();
        if !self.known.contains(&name.as_str()) {
            self.rejected = true;
            let message = (self.misplaced)(&name).unwrap_or_else(|| {
                let place = self.place;
                match closest(&name, self.known) {
                    Some(known) => {
                        format!("unknown {place} argument `{name}`; did you mean `{known}`?")
                    }
                    None => format!(
                        "unknown {place} argument `{name}`; expected one of {}",
                        self.expected
                    ),
                }
            });
            cx.error_spanned_by(&arg.key, message);
            return false;
        }
        if self.seen.contains(&name) && !self.repeatable.contains(&name.as_str()) {
            cx.error_spanned_by(
                &arg.key,
                format!("expected only a single `{name}` argument"),
            );
            return false;
        }
        self.seen.push(name);
        true
    }

    /// Whether an argument of this name was accepted.
    pub(crate) fn seen(&self, name: &str) -> bool {
        self.seen.iter().any(|seen| seen == name)
    }

    /// Whether an argument was not accepted for its name (unknown or misplaced).
    pub(crate) fn rejected(&self) -> bool {
        self.rejected
    }

    /// The accepted forms, for messages about a known argument's value.
    pub(crate) fn expected(&self) -> &'static str {
        self.expected
    }
}

/// The name among `known` closest to a misspelt `name`, if one is close: at most two
/// edits away, and fewer edits than it has letters.
pub(crate) fn closest(name: &str, known: &[&'static str]) -> Option<&'static str> {
    known
        .iter()
        .map(|known| (distance(name, known), *known))
        .filter(|(distance, known)| *distance <= 2 && *distance < known.len())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// Levenshtein distance, for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The string literal `expr` is, if it is one.
pub(crate) fn string(expr: &Expr) -> Option<&LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit),
        _ => None,
    }
}

/// The value of `crate = "..."`: the path of the runtime crate when it is renamed. An
/// error spanned on `error_at` when `value` is not a string holding a path.
pub(crate) fn crate_path(
    cx: &mut Ctxt,
    value: Option<&Expr>,
    error_at: impl ToTokens,
) -> Option<syn::Path> {
    match value.and_then(string).map(|lit| lit.parse::<syn::Path>()) {
        Some(Ok(path)) => Some(path),
        _ => {
            cx.error_spanned_by(
                error_at,
                "`crate` takes the path of the runtime crate as a string, e.g. \
                 `crate = \"my_monitor\"`",
            );
            None
        }
    }
}

/// The path generated code reaches the runtime by: `::monitor_runtime::__private`, or
/// the `crate = "..."` override's.
pub(crate) fn private_path(krate: Option<&syn::Path>) -> proc_macro2::TokenStream {
    match krate {
        Some(krate) => quote::quote!(#krate::__private),
        None => quote::quote!(::monitor_runtime::__private),
    }
}

/// The value of a flag such as `critical = false` or `future = true`: `true` or
/// `false`; anything else is an error spanned on it. (`key` alone, for `true`, is
/// handled by the caller.)
pub(crate) fn flag(cx: &mut Ctxt, key: &str, value: &Expr) -> Option<bool> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Bool(flag),
            ..
        }) => Some(flag.value),
        other => {
            cx.error_spanned_by(
                other,
                format!("`{key}` takes `true` or `false`, or stands alone for `true`"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::{Arguments, closest};
    use crate::support::Ctxt;

    const KNOWN: &[&str] = &["name", "buckets", "span", "crate"];

    fn errors(cx: Ctxt) -> String {
        cx.into_compile_errors().to_string()
    }

    #[test]
    fn a_close_name_is_suggested_and_a_far_one_is_not() {
        assert_eq!(closest("nmae", KNOWN), Some("name"));
        assert_eq!(closest("bucket", KNOWN), Some("buckets"));
        assert_eq!(closest("crate", KNOWN), Some("crate"));
        assert_eq!(closest("level", KNOWN), None);
        // Two edits would turn any two-letter word into `id`: not a suggestion.
        assert_eq!(closest("xy", &["id"]), None);
    }

    #[test]
    fn unknown_repeated_and_misplaced_arguments_are_reported_and_left_out() {
        let mut cx = Ctxt::default();
        let mut arguments = Arguments::new("`#[example]`", KNOWN, "`name = \"...\"`, ...")
            .repeatable(&["span"])
            .misplaced(|name| (name == "check").then(|| "`check` goes elsewhere".to_owned()));
        let read = arguments.read(
            &mut cx,
            quote!(
                nmae = "a",
                name = "b",
                name = "c",
                level,
                span,
                span,
                check = x
            ),
        );
        let names: Vec<String> = read.iter().map(|arg| arg.name()).collect();
        assert_eq!(names, ["name", "span", "span"]);
        assert!(arguments.seen("name") && !arguments.seen("level"));
        assert!(arguments.rejected());
        let errors = errors(cx);
        assert!(
            errors.contains("unknown `#[example]` argument `nmae`; did you mean `name`?"),
            "{errors}"
        );
        assert!(
            errors.contains("expected only a single `name` argument"),
            "{errors}"
        );
        assert!(
            errors.contains("unknown `#[example]` argument `level`; expected one of `name"),
            "{errors}"
        );
        assert!(errors.contains("`check` goes elsewhere"), "{errors}");
    }

    #[test]
    fn one_reader_sees_the_arguments_of_several_attributes() {
        let mut cx = Ctxt::default();
        let mut arguments = Arguments::new("`#[example]`", KNOWN, "...");
        assert_eq!(arguments.read(&mut cx, quote!(name = "a")).len(), 1);
        assert_eq!(arguments.read(&mut cx, quote!(name = "b")).len(), 0);
        assert!(!arguments.rejected());
        assert!(errors(cx).contains("expected only a single `name` argument"));
    }
}
