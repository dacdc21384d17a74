//! The certificate being served, swapped on `SIGHUP` without touching open connections: each
//! handshake asks for the current one, while established sessions keep their keys.

use super::{TlsError, TlsFiles};
use rustls::ServerConfig;
use rustls::crypto::{CryptoProvider, ring};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::sync::{Arc, PoisonError, RwLock};
use tokio::signal::unix::{SignalKind, signal};
use tokio_rustls::TlsAcceptor;

pub struct ServedCertificate {
    files: TlsFiles,
    provider: Arc<CryptoProvider>,
    current: RwLock<Arc<CertifiedKey>>,
}

/// Names the files only: the key stays out of any output.
impl std::fmt::Debug for ServedCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServedCertificate")
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl ServedCertificate {
    /// Loads both files; an error stops the start.
    ///
    /// The ring provider: rustls 0.23.48 deprecates it for lacking post-quantum key exchange
    /// (X25519MLKEM768, which aws-lc-rs has), but it is pure Rust and assembly, with no C
    /// toolchain to build; the classical groups it offers remain secure today.
    #[allow(deprecated)]
    pub fn load(files: TlsFiles) -> Result<Arc<ServedCertificate>, TlsError> {
        let provider = Arc::new(ring::default_provider());
        let current = files.load(&provider)?;
        Ok(Arc::new(ServedCertificate {
            files,
            provider,
            current: RwLock::new(Arc::new(current)),
        }))
    }

    /// Reads both files again and serves them to new connections; when they do not load, the
    /// previous pair stays. One log line either way.
    pub fn reload(&self) {
        match self.files.load(&self.provider) {
            Ok(loaded) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(loaded);
                tracing::info!(
                    cert = %self.files.cert.display(),
                    key = %self.files.key.display(),
                    "TLS certificate reloaded"
                );
            }
            Err(error) => tracing::error!(
                %error,
                "TLS certificate not reloaded; the previous one is still served"
            ),
        }
    }

    /// The handshake for the listener: TLS 1.2 and 1.3, HTTP/1.1 offered by ALPN (the
    /// gateway serves HTTP/1 only, which the head-timed stream bounds).
    pub fn acceptor(self: &Arc<Self>) -> TlsAcceptor {
        let mut config = ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .expect("the ring provider supports the default TLS versions")
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    }
}

impl ResolvesServerCert for ServedCertificate {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }
}

/// Reloads the certificate on every `SIGHUP` while the returned future runs. The signal is
/// watched from this call on, so that one sent as soon as the server says it listens is not
/// missed. Without TLS there is nothing to reload, and the signal is logged rather than ending
/// the process (its default).
pub fn reload_on_hangup(
    certificate: Option<Arc<ServedCertificate>>,
) -> impl Future<Output = ()> + 'static {
    let hangups = signal(SignalKind::hangup());
    async move {
        let mut hangups = match hangups {
            Ok(hangups) => hangups,
            Err(error) => {
                tracing::error!(%error, "cannot watch SIGHUP; the TLS certificate cannot be reloaded");
                return;
            }
        };
        while hangups.recv().await.is_some() {
            match &certificate {
                Some(certificate) => certificate.reload(),
                None => tracing::info!("SIGHUP: nothing to reload without --tls-cert"),
            }
        }
    }
}
