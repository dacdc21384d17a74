//! Tells the same wrong password sent again from a new one without keeping either.

use crate::domain::{Fingerprint, PasswordHash};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// 16 bits of an HMAC-SHA256 of the candidate keyed by the login's stored hash. Two different
/// wrong passwords share a fingerprint once in 65,536, so a new guess is almost never taken
/// for a retry (and a retry is still checked, only not counted again); 16 bits leave tens of
/// thousands of candidates for every fingerprint even among a small dictionary's, so the
/// stored value recovers no password. Keyed by the hash, every instance on a database
/// computes the same value, and a new password makes the old fingerprints meaningless.
pub fn fingerprint(candidate: &str, stored: &PasswordHash) -> Fingerprint {
    let mut mac = Hmac::<Sha256>::new_from_slice(stored.0.as_bytes()).expect("any key length");
    mac.update(candidate.as_bytes());
    let digest = mac.finalize().into_bytes();
    Fingerprint(u16::from_be_bytes([digest[0], digest[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_candidate_and_hash_give_the_same_fingerprint() {
        let stored = PasswordHash("$2b$04$abcdefghijklmnopqrstuu".into());
        let other = PasswordHash("$2b$04$zbcdefghijklmnopqrstuu".into());
        assert_eq!(
            fingerprint("Stale#2025", &stored),
            fingerprint("Stale#2025", &stored)
        );
        let distinct: std::collections::HashSet<_> = (0..100)
            .map(|n| fingerprint(&format!("guess-{n}"), &stored).0)
            .collect();
        assert!(distinct.len() > 95, "different candidates rarely share one");
        assert_ne!(
            fingerprint("Stale#2025", &stored),
            fingerprint("Stale#2025", &other),
            "keyed by the stored hash"
        );
    }
}
