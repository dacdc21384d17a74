//! HTTPS served directly: the certificate and key from PEM files, reloaded on `SIGHUP`.
//!
//! The handshake runs in the connection's first step (`startup`), before the head-timed stream
//! wraps the decrypted bytes, so that every request head stays bounded as over plain HTTP.

mod files;
mod served;

pub use files::{TlsError, TlsFiles};
pub use served::{ServedCertificate, reload_on_hangup};
