//! Runs the real `promtool` on exposition text.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `promtool check metrics` on `exposition` and returns its findings (empty when
/// it found nothing).
///
/// # Panics
///
/// When `promtool` is not installed: these tests never skip silently. Install it with
/// `apt-get install prometheus` (as `.ci/run` does).
pub fn check_metrics(exposition: &str) -> Vec<String> {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`promtool` is required: install it with `apt-get install prometheus`");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(exposition.as_bytes())
        .expect("write exposition to promtool");
    let output = child.wait_with_output().expect("promtool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let findings: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(ToOwned::to_owned)
        .collect();
    if !output.status.success() && findings.is_empty() {
        return vec![format!("promtool exited with {}", output.status)];
    }
    findings
}
