//! TLS for the exporter: a rustls server configuration from PEM files.

use std::io;
use std::path::Path;
use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{ServerConfig, crypto};

/// The crypto provider: the process' default when the application installed one
/// (`CryptoProvider::install_default`, for example aws-lc-rs's, which offers
/// post-quantum key exchange), else *ring*'s, which builds without a C toolchain.
fn provider() -> Arc<crypto::CryptoProvider> {
    crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| {
            // rustls 0.23.48 deprecates *ring*'s provider for its lack of post-quantum
            // key exchange; an application that wants it installs another as the
            // process' default, used above.
            #[allow(deprecated)]
            Arc::new(crypto::ring::default_provider())
        })
}

/// An acceptor serving the certificate chain of `cert` with the private key of
/// `key` (PKCS#8, PKCS#1 or SEC1), offering HTTP/2 and HTTP/1.1 by ALPN.
pub(super) fn acceptor(cert: &Path, key: &Path) -> io::Result<TlsAcceptor> {
    let invalid = |path: &Path, error: &dyn std::fmt::Display| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {error}", path.display()),
        )
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| invalid(cert, &error))?;
    if chain.is_empty() {
        return Err(invalid(cert, &"no certificate in the file"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|error| invalid(key, &error))?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| invalid(cert, &error))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|error| invalid(key, &error))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
