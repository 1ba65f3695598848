//! The workload's small HTTP/1.1 client: one request per connection, each starting a
//! trace of its own (a `traceparent` header), over plain TCP
//! or, when the exporter serves HTTPS, over TLS trusting exactly the certificate the
//! exporter was given (the demo's certificate is usually self-signed and names
//! `localhost` while the workload dials an IP address, so it is pinned rather than
//! checked against a name).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{self, CryptoProvider};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, Error, SignatureScheme,
};

/// Where and how the workload connects.
#[derive(Clone)]
pub struct Client {
    addr: SocketAddr,
    token: Option<String>,
    tls: Option<TlsConnector>,
}

impl Client {
    /// Plain HTTP to `addr`, with `token` as a bearer token when there is one.
    pub fn plain(addr: SocketAddr, token: Option<String>) -> Self {
        Self {
            addr,
            token,
            tls: None,
        }
    }

    /// HTTPS to `addr`, trusting the first certificate of the PEM file `cert`.
    pub fn tls(addr: SocketAddr, token: Option<String>, cert: &Path) -> std::io::Result<Self> {
        let invalid = |error: &dyn std::fmt::Display| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {error}", cert.display()),
            )
        };
        let certificate = CertificateDer::pem_file_iter(cert)
            .map_err(|error| invalid(&error))?
            .next()
            .ok_or_else(|| invalid(&"no certificate in the file"))?
            .map_err(|error| invalid(&error))?;
        let provider = Arc::new(crypto::ring::default_provider());
        let verifier = Arc::new(PinnedCertificate {
            certificate,
            provider: provider.clone(),
        });
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| invalid(&error))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Self {
            addr,
            token,
            tls: Some(TlsConnector::from(Arc::new(config))),
        })
    }

    /// One request on its own connection; returns the status code.
    pub async fn call(&self, method: &str, path: &str) -> std::io::Result<u16> {
        let stream = TcpStream::connect(self.addr).await?;
        match &self.tls {
            None => self.exchange(stream, method, path).await,
            Some(connector) => {
                let name = ServerName::IpAddress(self.addr.ip().into());
                let stream = connector.connect(name, stream).await?;
                self.exchange(stream, method, path).await
            }
        }
    }

    async fn exchange<S>(&self, mut stream: S, method: &str, path: &str) -> std::io::Result<u16>
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let authorization = self.token.as_deref().map_or(String::new(), |token| {
            format!("Authorization: Bearer {token}\r\n")
        });
        // Each request starts a trace, as an upstream service or a browser with
        // OpenTelemetry would: the shop continues it (W3C Trace Context).
        let traceparent = monitor_runtime::exemplars::TraceContext::random().traceparent();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Length: 0\r\ntraceparent: {traceparent}\r\n{authorization}\r\n",
            self.addr
        );
        stream.write_all(head.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        let status = String::from_utf8_lossy(&answer)
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        Ok(status)
    }
}

/// Accepts exactly one certificate, whatever name it carries; the handshake's
/// signatures are still verified with it.
#[derive(Debug)]
struct PinnedCertificate {
    certificate: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if end_entity.as_ref() == self.certificate.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(Error::InvalidCertificate(CertificateError::UnknownIssuer))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        crypto::verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        crypto::verify_tls13_signature(message, cert, dss, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
