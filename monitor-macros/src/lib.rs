//! Procedural macros of the monitor framework.
//!
//! Use them through `monitor-runtime`, which re-exports them and documents them; the
//! code they generate reaches the runtime only through `monitor_runtime::__private`.

mod ast;
mod attr;
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
