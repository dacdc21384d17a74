//! How often authentication refused for protection: figures for operators, read by the
//! metrics endpoint. Atomic counts, so the call path pays one relaxed increment.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Refusals {
    lockouts: AtomicU64,
    rate_limited: AtomicU64,
    address_refused: AtomicU64,
}

/// The counts so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalCounts {
    /// Logins locked by too many wrong passwords.
    pub lockouts: u64,
    /// Calls refused by the caller's rate limit.
    pub rate_limited: u64,
    /// Logins refused because their address failed too often.
    pub address_refused: u64,
}

impl Refusals {
    pub(super) fn lockout(&self) {
        self.lockouts.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn address_refused(&self) {
        self.address_refused.fetch_add(1, Ordering::Relaxed);
    }

    pub fn counts(&self) -> RefusalCounts {
        RefusalCounts {
            lockouts: self.lockouts.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            address_refused: self.address_refused.load(Ordering::Relaxed),
        }
    }
}
