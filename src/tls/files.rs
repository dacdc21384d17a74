//! The PEM certificate chain and private key, read into what rustls serves.

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};

/// Where the certificate chain (leaf first) and its private key are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Why a file cannot be served, naming the file. It never quotes the file's content: a key
/// file's lines are secret.
#[derive(Debug, thiserror::Error)]
#[error("cannot use {}: {reason}", file.display())]
pub struct TlsError {
    pub file: PathBuf,
    pub reason: String,
}

impl TlsError {
    fn new(file: &Path, reason: impl Into<String>) -> TlsError {
        TlsError {
            file: file.to_owned(),
            reason: reason.into(),
        }
    }
}

impl TlsFiles {
    /// Reads both files and checks that the key is the certificate's.
    pub fn load(&self, provider: &CryptoProvider) -> Result<CertifiedKey, TlsError> {
        let chain = CertificateDer::pem_file_iter(&self.cert)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| TlsError::new(&self.cert, unreadable(e, "certificate")))?;
        if chain.is_empty() {
            return Err(TlsError::new(&self.cert, "no PEM certificate in it"));
        }
        let key = PrivateKeyDer::from_pem_file(&self.key)
            .map_err(|e| TlsError::new(&self.key, unreadable(e, "private key")))?;
        let signing_key = provider
            .key_provider
            .load_private_key(key)
            .map_err(|e| TlsError::new(&self.key, format!("not a usable private key ({e})")))?;
        let certified = CertifiedKey::new(chain, signing_key);
        match certified.keys_match() {
            Ok(()) => Ok(certified),
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                Err(TlsError::new(
                    &self.key,
                    format!("not the key of the certificate in {}", self.cert.display()),
                ))
            }
            Err(e) => Err(TlsError::new(
                &self.cert,
                format!("not a usable certificate ({e})"),
            )),
        }
    }
}

/// The reason a PEM file gave nothing, without the offending line.
fn unreadable(error: pem::Error, wanted: &str) -> String {
    match error {
        pem::Error::Io(e) => e.to_string(),
        pem::Error::NoItemsFound => format!("no PEM {wanted} in it"),
        _ => "not a valid PEM file".to_owned(),
    }
}
