//! Procedural macros of the monitor framework.
//!
//! Use them through `monitor-runtime`, which re-exports them and documents them; the
//! code they generate reaches the runtime only through `monitor_runtime::__private`.

mod ast;
mod attr;
mod business;
mod ctxt;
mod exits;
mod expand;
mod naming;
mod valid;

use proc_macro::TokenStream;

/// Instruments a function, or every method of an `impl` block, with call, error,
/// latency and in-flight metrics and a tracing span. Documented in `monitor-runtime`.
#[proc_macro_attribute]
pub fn monitored(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::monitored(args.into(), item.into()).into()
}

/// Turns a function into a business signal: a counter, gauge or histogram updated on
/// each call. Documented in `monitor-runtime`.
#[proc_macro_attribute]
pub fn business_metric(args: TokenStream, item: TokenStream) -> TokenStream {
    business::expand::business_metric(args.into(), item.into()).into()
}

/// Declares business metrics updated anywhere in the code, as statics. Documented in
/// `monitor-runtime`.
#[proc_macro]
pub fn business_metrics(input: TokenStream) -> TokenStream {
    business::expand::business_metrics(input.into()).into()
}
