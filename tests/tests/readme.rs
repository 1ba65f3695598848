//! The README stays a front door: at most 200 lines, the two commands a newcomer
//! runs, and links into the crate docs for the reference (its Rust example is
//! compiled as a doctest of this package, `ReadmeDoctests` in `src/lib.rs`).

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));

#[test]
fn the_readme_is_at_most_200_lines() {
    let lines = README.lines().count();
    assert!(
        lines <= 200,
        "README.md has {lines} lines; move reference into the crate docs"
    );
    assert!(lines > 20, "README.md has {lines} lines: not read");
}

#[test]
fn the_readme_gives_the_two_commands_and_links_every_area_to_the_docs() {
    for command in ["cargo run -p quickstart", "cargo test --workspace"] {
        assert!(README.contains(command), "README.md lacks `{command}`");
    }
    for area in [
        "attr.monitored.html",
        "attr.business_metric.html",
        "monitor_runtime/health/",
        "monitor_runtime/http/",
        "monitor_runtime/alerts/",
        "monitor_runtime/kubernetes/",
        "monitor_runtime/push/",
        "monitor_runtime/diagnostics/",
    ] {
        assert!(
            README.contains(area),
            "README.md links no docs page for {area}"
        );
    }
}
