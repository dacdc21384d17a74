//! An accepted connection as HTTP sees it: the TCP stream, or the TLS stream over it once its
//! handshake is done. One type for both, so that one app and one HTTP service serve either.

use std::io;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

pub trait Bytes: AsyncRead + AsyncWrite + Unpin {}

impl<T: AsyncRead + AsyncWrite + Unpin> Bytes for T {}

pub type Accepted = Box<dyn Bytes>;

/// The stream HTTP reads: `tcp` itself, or with `tls` the decrypted stream after a handshake
/// that must end within `handshake_timeout` (a client that stalls it is cut off, as one that
/// stalls a request head). A failed handshake, such as plain HTTP sent to the TLS port, closes
/// the connection.
pub async fn accept(
    tcp: TcpStream,
    tls: Option<&TlsAcceptor>,
    handshake_timeout: Duration,
) -> io::Result<Accepted> {
    let Some(tls) = tls else {
        return Ok(Box::new(tcp));
    };
    match tokio::time::timeout(handshake_timeout, tls.accept(tcp)).await {
        Ok(stream) => Ok(Box::new(stream?)),
        Err(_) => Err(io::ErrorKind::TimedOut.into()),
    }
}
