//! The words that mark a name as secret, shared by two crates: the naming rule for
//! secret labels (M060) in `monitor-macros/src/naming/secret_words.rs`, and the
//! redaction of log fields in `monitor-runtime/src/logs/secret_words.rs`. The two
//! files are the same byte for byte (`tests/tests/logs_secret_words.rs` checks it):
//! edit one, copy it to the other.

/// Words that mark a value as secret, matched against whole words of the source name
/// (`user_password`, `apiKey`, `auth_token`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "authorization",
    "credential",
    "credentials",
    "cookie",
    "bearer",
    "jwt",
    "otp",
    "pin",
];

/// Two-word secrets (`api_key`, `private_key`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("access", "key"),
    ("signing", "key"),
    ("session", "key"),
    ("client", "secret"),
];

/// Splits an identifier into lowercase words at `_` and at camelCase boundaries.
pub(crate) fn words(source: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = source.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let previous = chars[index - 1];
            let next_lower = chars.get(index + 1).is_some_and(|n| n.is_lowercase());
            if previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_lower)
            {
                words.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The secret a source name looks like, e.g. `password` for `user_password`.
pub(crate) fn secret_word(source: &str) -> Option<String> {
    let words = words(source);
    if let Some(word) = words
        .iter()
        .find(|word| SECRET_WORDS.contains(&word.as_str()))
    {
        return Some(word.clone());
    }
    words.windows(2).find_map(|pair| {
        SECRET_PAIRS
            .iter()
            .find(|(first, second)| pair[0] == *first && pair[1] == *second)
            .map(|(first, second)| format!("{first}_{second}"))
    })
}
