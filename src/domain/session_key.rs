//! What the Access page's sessions are stored and found by.

/// The SHA-256 of a session's cookie token (`auth::session_key` computes it): the store never
/// holds a token that would open a session.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionKey(pub [u8; 32]);
