//! Compile-time behaviour of the macros: every `pass` case compiles, every `fail`
//! case fails with exactly the diagnostics in its `.stderr` snapshot.
//!
//! The snapshots hold the messages of the compiler CI runs, Rust [`SNAPSHOT_RUSTC`]:
//! another version may word rustc's own part of a message differently (our
//! messages do not change). With another compiler, run
//! `rustup toolchain install 1.95` and `cargo +1.95 test --test ui`, or review the
//! differences and write them with `TRYBUILD=overwrite`.

/// The `major.minor` of the compiler whose messages the snapshots hold.
const SNAPSHOT_RUSTC: &str = "1.95";

/// The `major.minor` of the compiler that builds the cases.
fn rustc_version() -> Option<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    Some(format!("{}.{}", parts.next()?, parts.next()?))
}

#[test]
fn ui() {
    let version = rustc_version();
    assert!(version.is_some(), "rustc --version gives a version");
    if version.as_deref() != Some(SNAPSHOT_RUSTC) {
        eprintln!(
            "note: the UI snapshots hold the messages of Rust {SNAPSHOT_RUSTC}, and this \
             is Rust {}: a failing case below may only differ in rustc's wording \
             (see tests/tests/ui.rs)",
            version.unwrap_or_default()
        );
    }
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
