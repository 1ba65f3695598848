//! Compile-time behaviour of the macros: every `pass` case compiles, every `fail`
//! case fails with exactly the diagnostics in its `.stderr` snapshot.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
