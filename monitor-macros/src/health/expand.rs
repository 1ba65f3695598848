//! Code generation for health checks: a `static` descriptor in a link-time slice for a
//! function, a `HealthCheck` impl for a derived struct. The logic lives in the runtime.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, ItemFn, ReturnType};

use super::attr::{self, HealthArgs, Place, Probe};
use crate::naming;
use crate::support::args::private_path;
use crate::support::{Ctxt, with_errors};

pub(crate) fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let mut options = HealthArgs::default();
    attr::parse(
        &mut cx,
        args,
        &mut Place::Function.arguments(),
        &mut options,
    );
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            cx.push(syn::Error::new(
                Span::call_site(),
                "`#[health_check]` goes on a function without arguments; for a check with \
                 state, use `#[derive(HealthCheck)]` on a struct",
            ));
            return with_errors(item, cx);
        }
    };
    let sig = &function.sig;
    if !sig.inputs.is_empty() {
        cx.error_spanned_by(
            &sig.inputs,
            "a `#[health_check]` function takes no arguments: the health engine calls it on its \
             own. For a check that needs state (a pool, a client), derive `HealthCheck` on a \
             struct that holds it, with `#[health(check = method)]`, and register an instance \
             with `monitor_runtime::health::register`",
        );
    }
    if !sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &sig.generics,
            "a `#[health_check]` function cannot be generic: the health engine calls it on its own",
        );
    }
    if let ReturnType::Default = sig.output {
        cx.error_spanned_by(
            &sig.ident,
            "a `#[health_check]` function returns its verdict: `bool`, `Result<T, E>` with \
             `E: Display`, or `monitor_runtime::health::Health`",
        );
    }
    if cx.has_errors() {
        return with_errors(item, cx);
    }
    let private = private_path(options.krate.as_ref());
    let ident = &sig.ident;
    let default_name = {
        let ident = ident.to_string();
        ident.strip_prefix("r#").unwrap_or(&ident).to_owned()
    };
    if options.name.is_none()
        && let Some(error) = naming::health_check_name(&default_name)
    {
        cx.error_spanned_by(ident, error);
        return with_errors(item, cx);
    }
    let name = match &options.name {
        Some(lit) => lit.to_token_stream(),
        None => module_qualified(&default_name),
    };
    let spec = spec_tokens(&private, &options, name);
    let ReturnType::Type(_, output) = &sig.output else {
        unreachable!("checked above")
    };
    // The value is bound to a name spanned on the return type, so that an unsupported
    // type is reported there.
    let value = quote_spanned!(output.span()=> __monitor_value);
    let runner = if sig.asyncness.is_some() {
        quote! {
            fn __monitor_health_run() -> #private::CheckFuture<'static> {
                ::std::boxed::Box::pin(async {
                    let #value = #ident().await;
                    #private::into_health(#value)
                })
            }
            #private::FnRun::Async(__monitor_health_run)
        }
    } else {
        quote! {
            fn __monitor_health_run() -> #private::Health {
                let #value = #ident();
                #private::into_health(#value)
            }
            #private::FnRun::Sync(__monitor_health_run)
        }
    };
    quote! {
        #function

        #[doc(hidden)]
        const _: () = {
            #[#private::linkme::distributed_slice(#private::HEALTH_CHECKS)]
            #[linkme(crate = #private::linkme)]
            static __MONITOR_HEALTH_CHECK: &'static #private::FnCheck = &#private::FnCheck {
                spec: #spec,
                run: { #runner },
                file: ::core::file!(),
                line: ::core::line!(),
            };
        };
    }
}

/// The default name of a `#[health_check]` function, evaluated at compile time: the
/// function's name, after its module path below the crate root with `.` between the
/// segments (`ping` at the root, `db.ping` in `mod db`), so that two `fn ping` of two
/// modules are two checks. `.` is allowed in check names, `::` is not.
fn module_qualified(function: &str) -> TokenStream {
    quote! {{
        const PATH: &::core::primitive::str = ::core::module_path!();
        const CHECK: &::core::primitive::str = #function;
        const CAPACITY: ::core::primitive::usize = PATH.len() + 1 + CHECK.len();
        // The path without its first segment (the crate), `::` turned into `.`.
        const DOTTED: ([::core::primitive::u8; CAPACITY], ::core::primitive::usize) = {
            let (path, check) = (PATH.as_bytes(), CHECK.as_bytes());
            let (mut out, mut len, mut at) = ([0_u8; CAPACITY], 0, 0);
            while at < path.len() && path[at] != b':' {
                at += 1;
            }
            while at < path.len() {
                if path[at] == b':' {
                    at += 2;
                    if len > 0 {
                        out[len] = b'.';
                        len += 1;
                    }
                } else {
                    out[len] = path[at];
                    len += 1;
                    at += 1;
                }
            }
            if len > 0 {
                out[len] = b'.';
                len += 1;
            }
            let mut index = 0;
            while index < check.len() {
                out[len] = check[index];
                len += 1;
                index += 1;
            }
            (out, len)
        };
        const BYTES: &[::core::primitive::u8] = &DOTTED.0;
        match ::core::str::from_utf8(BYTES.split_at(DOTTED.1).0) {
            ::core::result::Result::Ok(name) => name,
            ::core::result::Result::Err(_) => CHECK,
        }
    }}
}

fn spec_tokens(private: &TokenStream, options: &HealthArgs, name: TokenStream) -> TokenStream {
    let probe = format_ident!("{}", options.probe.unwrap_or(Probe::Readiness).variant());
    let critical = options.critical.unwrap_or(true);
    let nanos = |duration: Option<std::time::Duration>, default: u64| {
        let nanos = duration.map_or(default, |d| d.as_nanos().min(u128::from(u64::MAX)) as u64);
        quote!(::core::time::Duration::from_nanos(#nanos))
    };
    let timeout = nanos(options.timeout, 5_000_000_000);
    let cache = nanos(options.cache, 1_000_000_000);
    let refresh = match options.refresh {
        Some(refresh) => {
            let refresh = nanos(Some(refresh), 0);
            quote!(::core::option::Option::Some(#refresh))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #private::check_spec(#name, #private::Probe::#probe, #critical, #timeout, #cache, #refresh)
    }
}

pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut options = HealthArgs::default();
    let mut arguments = Place::Container.arguments();
    for attribute in input.attrs.iter().filter(|a| a.path().is_ident("health")) {
        match &attribute.meta {
            syn::Meta::List(list) => {
                attr::parse(&mut cx, list.tokens.clone(), &mut arguments, &mut options)
            }
            other => cx.error_spanned_by(other, "expected `#[health(...)]`"),
        }
    }
    let private = private_path(options.krate.as_ref());
    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let fallback = quote! {
        #[automatically_derived]
        impl #impl_generics #private::HealthCheck for #ident #type_generics #where_clause {
            fn spec(&self) -> #private::CheckSpec { ::core::unreachable!() }
            fn check(&self) -> #private::CheckFuture<'_> { ::core::unreachable!() }
        }
    };
    let data = match &input.data {
        Data::Struct(data) => data,
        Data::Enum(data) => {
            cx.error_spanned_by(
                data.enum_token,
                "`#[derive(HealthCheck)]` goes on a struct: a stateful check with \
                 `#[health(check = method)]`, or a composite whose fields are checks",
            );
            let errors = cx.into_compile_errors();
            return quote!(#errors #fallback);
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                "`#[derive(HealthCheck)]` goes on a struct, not a union",
            );
            let errors = cx.into_compile_errors();
            return quote!(#errors #fallback);
        }
    };
    let default_name = attr::snake_case(&ident.to_string());
    if options.name.is_none()
        && let Some(error) = naming::health_check_name(&default_name)
    {
        cx.error_spanned_by(ident, error);
    }
    // A composite's `spec` (read at registration) reads its parts' too, so that a
    // derived part counts as registered with it.
    let mut parts_seen = TokenStream::new();
    let body = match &options.check {
        Some(method) => {
            for field in &data.fields {
                if let Some(attribute) = field.attrs.iter().find(|a| a.path().is_ident("health")) {
                    cx.error_spanned_by(
                        attribute,
                        "field options apply to composite checks; this struct's check is \
                         its `check = ...` method",
                    );
                }
            }
            // Spanned on the method name, so that an unsupported return type is
            // reported there.
            let resolve =
                quote_spanned!(method.span()=> (&&__monitor_returned).__monitor_resolve());
            quote_spanned! {method.span()=>
                #[allow(unused_imports)]
                use #private::{ViaFuture as _, ViaValue as _};
                let __monitor_returned = #private::Resolve::new(Self::#method(self));
                let __monitor_check = #resolve;
                __monitor_check
            }
        }
        None => {
            let (body, seen) = composite_body(&mut cx, &private, &data.fields, ident);
            parts_seen = seen;
            body
        }
    };
    if cx.has_errors() {
        let errors = cx.into_compile_errors();
        return quote!(#errors #fallback);
    }
    let name = match &options.name {
        Some(lit) => lit.to_token_stream(),
        None => default_name.to_token_stream(),
    };
    let spec = spec_tokens(&private, &options, name);
    let type_name = ident.to_string();
    quote! {
        const _: () = {
            // The type, recorded at link time: one never registered is reported.
            static __MONITOR_DERIVED: #private::DerivedCheck =
                #private::DerivedCheck::new(#type_name, ::core::file!(), ::core::line!());
            #[#private::linkme::distributed_slice(#private::DERIVED_CHECKS)]
            #[linkme(crate = #private::linkme)]
            static __MONITOR_DERIVED_REGISTRATION: &'static #private::DerivedCheck =
                &__MONITOR_DERIVED;

            #[automatically_derived]
            impl #impl_generics #private::DerivedType for #ident #type_generics #where_clause {
                fn derived() -> &'static #private::DerivedCheck {
                    &__MONITOR_DERIVED
                }
            }

            #[automatically_derived]
            impl #impl_generics #private::HealthCheck for #ident #type_generics #where_clause {
                fn spec(&self) -> #private::CheckSpec {
                    #[allow(unused_imports)]
                    use #private::{MarkDerived as _, MarkOther as _};
                    __MONITOR_DERIVED.seen();
                    #parts_seen
                    #spec
                }

                fn check(&self) -> #private::CheckFuture<'_> {
                    #body
                }
            }
        };
    }
}

/// The check of a composite, and the reading of its parts' specs.
fn composite_body(
    cx: &mut Ctxt,
    private: &TokenStream,
    fields: &Fields,
    ident: &syn::Ident,
) -> (TokenStream, TokenStream) {
    let mut parts = Vec::new();
    let mut parts_seen = TokenStream::new();
    let mut names: Vec<String> = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let mut options = HealthArgs::default();
        let mut arguments = Place::Field.arguments();
        for attribute in field.attrs.iter().filter(|a| a.path().is_ident("health")) {
            match &attribute.meta {
                syn::Meta::List(list) => {
                    attr::parse(cx, list.tokens.clone(), &mut arguments, &mut options)
                }
                other => cx.error_spanned_by(other, "expected `#[health(...)]`"),
            }
        }
        if options.skip {
            continue;
        }
        let member = match &field.ident {
            Some(ident) => ident.to_token_stream(),
            None => syn::Index::from(index).to_token_stream(),
        };
        let name = match (&options.name, &field.ident) {
            (Some(lit), _) => lit.value(),
            (None, Some(ident)) => {
                let ident = ident.to_string();
                ident.strip_prefix("r#").unwrap_or(&ident).to_owned()
            }
            (None, None) => index.to_string(),
        };
        if names.contains(&name) {
            let span = options
                .name
                .as_ref()
                .map_or_else(|| field.span(), |lit| lit.span());
            cx.push(syn::Error::new(
                span,
                format!("two parts of this check are named `{name}`; rename one with `#[health(name = \"...\")]`"),
            ));
        }
        names.push(name.clone());
        let critical = options.critical.unwrap_or(true);
        let ty = &field.ty;
        let as_check = quote_spanned!(ty.span()=> #private::as_check::<#ty>);
        parts.push(quote!((#name, #critical, #as_check(&self.#member))));
        parts_seen.extend(quote! {
            (&&#private::PartMark::<#ty>::new()).__monitor_mark();
        });
    }
    if parts.is_empty() {
        cx.error_spanned_by(
            ident,
            "this check has nothing to run: give it `#[health(check = method)]` naming the \
             method that checks, or fields that are checks (a composite)",
        );
    }
    let body = quote! {
        #private::run_parts(::std::vec![#(#parts),*])
    };
    (body, parts_seen)
}
