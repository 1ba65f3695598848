//! Test certificates, made at test time.

use std::path::{Path, PathBuf};

/// Writes a self-signed certificate for `localhost` and its private key as PEM
/// files `cert.pem` and `key.pem` in `dir`, and returns their paths.
///
/// # Panics
///
/// If the certificate cannot be made or written.
pub fn self_signed_localhost(dir: &Path) -> (PathBuf, PathBuf) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("a self-signed certificate");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write cert.pem");
    std::fs::write(&key, certified.key_pair.serialize_pem()).expect("write key.pem");
    (cert, key)
}
