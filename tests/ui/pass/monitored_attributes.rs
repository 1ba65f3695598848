//! Docs, attributes, visibility, `cfg`, inner attributes and lints pass through
//! unchanged; the generated code adds no warnings (`deny(warnings)`).

#![deny(warnings, missing_docs, unused_qualifications)]
//! Crate docs.

use monitor_runtime::monitored;

/// Public API documentation survives.
#[monitored]
#[must_use]
#[inline]
pub fn documented(x: u32) -> u32 {
    x + 1
}

/// Configured out entirely on this platform.
#[monitored]
#[cfg(any())]
pub fn never_built() -> u32 {
    compile_error!("cfg is evaluated on the user's crate")
}

/// Inner attributes stay at the top of the body.
#[monitored]
pub fn inner() -> u32 {
    #![allow(clippy::let_and_return)]
    let x = 1;
    x
}

/// Diverging functions are monitored too (a panic counts as an error).
#[monitored]
pub fn fail(message: &str) -> ! {
    panic!("{message}")
}

/// A body still to be written.
#[monitored]
pub fn unfinished(_order: u32) -> Result<u32, String> {
    todo!()
}

/// A body that always panics, returning `()`.
#[monitored]
pub fn always_panics() {
    panic!("not supported");
}

pub(crate) mod nested {
    /// Visibility is preserved.
    #[monitor_runtime::monitored(name = "nested_visible")]
    pub(crate) fn visible() -> bool {
        true
    }
}

/// A sync body using the formatting and collection macros.
#[monitored]
pub fn with_macros(n: usize) -> String {
    let items = vec![n; n];
    let mut sink = std::io::sink();
    writeln!(sink, "{items:?}").unwrap();
    writeln!(sink, "{}", items.len()).unwrap();
    assert!(items.len() == n, "length {} != {}", items.len(), n);
    debug_assert_eq!(items.len(), n);
    let text = format!("{n}:{}", items.iter().sum::<usize>());
    write_len(&text);
    text
}

use std::io::Write as _;

fn write_len(text: &str) {
    use std::fmt::Write;
    let mut out = String::new();
    write!(out, "{}", text.len()).unwrap();
}

fn main() {
    assert_eq!(documented(1), 2);
    assert_eq!(inner(), 1);
    assert!(nested::visible());
    assert_eq!(with_macros(2), "2:4");
    std::panic::set_hook(Box::new(|_| {}));
    assert!(std::panic::catch_unwind(|| fail("boom")).is_err());
    assert!(std::panic::catch_unwind(|| unfinished(1)).is_err());
    assert!(std::panic::catch_unwind(always_panics).is_err());
}
