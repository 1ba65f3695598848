//! Procedural macros of the monitor framework.
//!
//! Use them through `monitor-runtime`, which re-exports them and documents them; the
//! code they generate reaches the runtime only through `monitor_runtime::__private`.
//!
//! # Layout
//!
//! - `support/`: shared by every macro, and imports no attribute module: the error
//!   context, argument reading (one reader for every attribute, with "did you mean"
//!   suggestions; `crate = "..."` and the private path), the function
//!   model (call shapes, attributes), early-exit rewriting, and the one body wrapper.
//! - `monitored/`, `business/`, `health/`: one folder per attribute, each with its
//!   arguments (`attr`) and its expansion (`expand`); `business/` also holds
//!   `business_metrics!`, `health/` `#[derive(HealthCheck)]`.
//! - `naming/`: every naming, bucket and duration rule (codes `M0xx`).
//! - `stacked.rs`: `#[monitored]` and `#[business_metric]` on one function, expanded
//!   together into one wrapper by whichever of them expands first. It drives both
//!   folders, which never import it back.
//!
//! The entry points below only hand `proc_macro2` tokens to those modules. Imports
//! run one way, with no cycle between files (`monitor-runtime/tests/layout.rs` keeps
//! it so): `lib.rs` → `stacked.rs` → the attribute folders → `naming/` →
//! `support/`; no file imports back a file that imports it.

mod business;
mod health;
mod monitored;
mod naming;
mod stacked;
mod support;

use proc_macro::TokenStream;

/// Instruments a function, or every method of an `impl` block, with call, error,
/// latency and in-flight metrics and a tracing span. Documented in `monitor-runtime`.
#[proc_macro_attribute]
pub fn monitored(args: TokenStream, item: TokenStream) -> TokenStream {
    if stacked::is_marker(&args.clone().into()) {
        return TokenStream::new();
    }
    stacked::monitored(args.into(), item.into()).into()
}

/// Declares a health check: a function without arguments, sync or `async`, returning
/// `bool`, `Result<T, E: Display>` or `Health`. Documented in `monitor-runtime`.
///
/// Without `name = "..."`, the check is named after the function, prefixed by its
/// module path below the crate root with `.` between segments: `fn ping` is `ping` at
/// the crate root and `db.ping` in `mod db`, so that checks of the same function name
/// in two modules do not clash.
#[proc_macro_attribute]
pub fn health_check(args: TokenStream, item: TokenStream) -> TokenStream {
    health::health_check(args.into(), item.into()).into()
}

/// Implements `HealthCheck` for a struct: a stateful check (`#[health(check = method)]`)
/// or a composite of checks. Documented in `monitor-runtime`.
#[proc_macro_derive(HealthCheck, attributes(health))]
pub fn derive_health_check(input: TokenStream) -> TokenStream {
    health::derive(input.into()).into()
}

/// Turns a function into a business signal: a counter, gauge or histogram updated on
/// each call. Documented in `monitor-runtime`.
#[proc_macro_attribute]
pub fn business_metric(args: TokenStream, item: TokenStream) -> TokenStream {
    if stacked::is_marker(&args.clone().into()) {
        return TokenStream::new();
    }
    stacked::business_metric(args.into(), item.into()).into()
}

/// Declares business metrics updated anywhere in the code, as statics. Documented in
/// `monitor-runtime`. Like the attributes, an entry takes `crate = "path"` when the
/// runtime is reached by another path (a renamed dependency, a re-export): its
/// expansion names the runtime only through `path::__private`.
#[proc_macro]
pub fn business_metrics(input: TokenStream) -> TokenStream {
    business::business_metrics(input.into()).into()
}
