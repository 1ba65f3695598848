//! The list of secret words is one source in two crates: the naming rule for secret
//! labels (M060, `monitor-macros`) and the redaction of log fields
//! (`monitor-runtime`, feature `logs`). The two files must stay identical.

use std::path::Path;

#[test]
fn both_crates_use_the_same_secret_words() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |path: &str| {
        std::fs::read_to_string(root.join(path)).unwrap_or_else(|error| panic!("{path}: {error}"))
    };
    let macros = read("monitor-macros/src/naming/secret_words.rs");
    let runtime = read("monitor-runtime/src/logs/secret_words.rs");
    assert!(macros.contains("\"password\""));
    assert_eq!(
        macros, runtime,
        "monitor-runtime/src/logs/secret_words.rs differs from monitor-macros/src/naming/secret_words.rs: copy the one you edited over the other"
    );
}

#[test]
fn what_the_naming_rule_calls_secret_is_redacted() {
    use monitor_runtime::logs::is_secret;
    // The names the M060 cases of the naming rule refuse as labels.
    for name in [
        "password",
        "user_password",
        "apiKey",
        "auth_token",
        "client_secret",
        "session_key",
        "pin",
    ] {
        assert!(is_secret(name), "{name}");
    }
    for name in ["user", "plan", "keyboard", "spinner", "region"] {
        assert!(!is_secret(name), "{name}");
    }
}
