//! Random tokens (the Access page's sessions and CSRF), the stored form of a session's, and
//! their comparison in constant time.

use crate::domain::{Error, Result, SessionKey};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 256 bits from the operating system's CSPRNG, as 43 URL-safe characters.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(Error::unknown)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What a session is stored under: the SHA-256 of its cookie token. A plain hash suffices,
/// since the token has 256 random bits and cannot be guessed from a dictionary.
pub fn session_key(token: &str) -> SessionKey {
    SessionKey(Sha256::digest(token.as_bytes()).into())
}

/// Whether a token sent with a form is the one expected, compared in constant time. An empty
/// token never matches, so a missing cookie and a missing field are not "equal".
pub fn same_token(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn only_the_same_non_empty_token_matches() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abd", "abc"));
        assert!(!same_token("ab", "abc"));
        assert!(!same_token("", ""));
    }

    #[test]
    fn the_stored_key_is_the_sha256_of_the_token() {
        let key = session_key("abc");
        assert_eq!(
            key.0[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "SHA-256(\"abc\") starts ba7816bf"
        );
        assert!(session_key("abc") == session_key("abc"));
        assert!(session_key("abc") != session_key("abd"));
    }
}
