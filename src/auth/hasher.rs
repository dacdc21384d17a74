//! bcrypt hashing and verification, bounded in concurrency. Callers run these on blocking
//! threads (never on an actix worker); the bound keeps a burst of logins from taking every core.
//!
//! bcrypt reads at most 72 bytes. The crate's `non_truncating_*` functions count the C string
//! terminator and so refuse a 72-byte password, which the contract allows. Instead, nothing
//! here is ever truncated: a `Password` is at most 72 bytes by construction, and a candidate
//! over 72 bytes is refused before bcrypt sees it.

use crate::domain::password::MAX_PASSWORD_BYTES;
use crate::domain::{Error, Password, PasswordHash, Result};
use std::sync::{Condvar, Mutex};

pub struct PasswordHasher {
    cost: u32,
    permits: Permits,
    /// A hash of a random secret: an unknown login is verified against it so that its answer
    /// takes as long as a wrong password.
    decoy: PasswordHash,
}

impl PasswordHasher {
    pub fn new(cost: u32, max_concurrent: usize) -> Result<PasswordHasher> {
        let mut secret = [0u8; 16];
        getrandom::fill(&mut secret).map_err(Error::unknown)?;
        let decoy = bcrypt::hash(secret, cost).map_err(Error::unknown)?;
        Ok(PasswordHasher {
            cost,
            permits: Permits::new(max_concurrent.max(1)),
            decoy: PasswordHash(decoy),
        })
    }

    pub fn hash(&self, password: &Password) -> Result<PasswordHash> {
        let _permit = self.permits.acquire();
        bcrypt::hash(password.expose(), self.cost)
            .map(PasswordHash)
            .map_err(Error::unknown)
    }

    /// False for a wrong password, a password over bcrypt's limit, or an unreadable hash.
    /// A candidate over the limit still costs one verification, against the decoy.
    pub fn verify(&self, candidate: &str, hash: &PasswordHash) -> bool {
        let _permit = self.permits.acquire();
        let bytes = candidate.as_bytes();
        if bytes.len() > MAX_PASSWORD_BYTES {
            let _ = bcrypt::verify(&bytes[..MAX_PASSWORD_BYTES], &self.decoy.0);
            return false;
        }
        bcrypt::verify(bytes, &hash.0).unwrap_or(false)
    }

    /// Spends one verification's time for a login that does not exist.
    pub fn verify_decoy(&self, candidate: &str) {
        self.verify(candidate, &self.decoy);
    }
}

/// A counting semaphore for blocking threads.
struct Permits {
    available: Mutex<usize>,
    released: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(count: usize) -> Permits {
        Permits {
            available: Mutex::new(count),
            released: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        while *available == 0 {
            available = self
                .released
                .wait(available)
                .unwrap_or_else(|e| e.into_inner());
        }
        *available -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.available.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.released.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Login, PasswordOwner};

    #[test]
    fn hashes_verify_and_never_contain_the_password() {
        let hasher = PasswordHasher::new(4, 2).unwrap();
        let login = Login::parse("someone@example.com", "email").unwrap();
        let owner = PasswordOwner {
            login: &login,
            account_name: "Acme",
        };
        let password = Password::parse("Magento#2026shop", None, &owner).unwrap();
        let hash = hasher.hash(&password).unwrap();
        assert!(hash.0.starts_with("$2"));
        assert!(!hash.0.contains("Magento"));
        assert!(hasher.verify("Magento#2026shop", &hash));
        assert!(!hasher.verify("Magento#2026sho", &hash));
        assert!(!hasher.verify(&"x".repeat(80), &hash));
    }

    #[test]
    fn permits_bound_how_many_run_at_once() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let permits = Arc::new(Permits::new(2));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (permits, running, most) = (permits.clone(), running.clone(), most.clone());
                std::thread::spawn(move || {
                    let _permit = permits.acquire();
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn all_72_bytes_count_and_a_73rd_is_refused_not_ignored() {
        let hasher = PasswordHasher::new(4, 2).unwrap();
        let login = Login::parse("someone@example.com", "email").unwrap();
        let owner = PasswordOwner {
            login: &login,
            account_name: "Acme",
        };
        let raw = format!("1{}", "a".repeat(71));
        let hash = hasher
            .hash(&Password::parse(&raw, None, &owner).unwrap())
            .unwrap();
        assert!(hasher.verify(&raw, &hash));
        assert!(!hasher.verify(&format!("1{}b", "a".repeat(70)), &hash));
        assert!(!hasher.verify(&format!("{raw}b"), &hash));
    }
}
