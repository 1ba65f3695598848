//! External programs the end-to-end tests need (`prometheus`, `promtool`) and
//! whether a missing one fails the test or skips it.

use std::io::Write;
use std::path::PathBuf;

/// Whether the tests run in continuous integration (`CI` set to anything but
/// `false`/`0`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !value.is_empty() && value != "false" && value != "0")
}

/// Finds `program` on `PATH`.
pub fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Whether `program` can run. When it is missing: in CI, panics (the test fails);
/// elsewhere, prints a loud notice on stderr and returns `false` so the test can
/// return early. `.ci/run` installs both programs (`apt-get install prometheus`).
pub fn require(program: &str) -> bool {
    if find(program).is_some() {
        return true;
    }
    let message = format!(
        "`{program}` is not installed: this end-to-end test needs it. \
         Install it with `apt-get install prometheus` (as .ci/run does)."
    );
    if in_ci() {
        panic!("{message}");
    }
    // Straight to stderr: the test harness captures `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n"
    );
    false
}

/// Runs `program` with `args` and returns whether it succeeded and everything it
/// printed, standard output then standard error.
///
/// # Panics
///
/// If the program cannot be started.
pub fn run(program: &str, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("{program} runs: {error}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}
