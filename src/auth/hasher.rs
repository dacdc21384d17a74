//! bcrypt hashing and verification, bounded in concurrency. Callers run these on blocking
//! threads (never on an actix worker); the bound keeps a burst of logins from taking every core.
//!
//! bcrypt reads at most 72 bytes. The crate's `non_truncating_*` functions count the C string
//! terminator and so refuse a 72-byte password, which the contract allows. Instead, nothing
//! here is ever truncated: a `Password` is at most 72 bytes by construction, and a candidate
//! over 72 bytes is refused before bcrypt sees it.
//!
//! Every verification, of a real hash or of a decoy, costs the same: the highest cost among
//! the stored hashes (the *floor*, never below the setting). A hash at a lower cost is padded
//! with decoy verifications at its cost, its cost + 1, … up to the floor, which add up to one
//! verification at the floor (2^c + 2^c + 2^(c+1) + … = 2^floor). So neither an unknown
//! login nor a login whose hash has another cost can be told by timing after the setting
//! changes; hashes reach the setting's cost as their users sign in (see `needs_rehash`).

use crate::domain::password::MAX_PASSWORD_BYTES;
use crate::domain::{Error, Password, PasswordHash, Result};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

pub struct PasswordHasher {
    cost: u32,
    floor: u32,
    permits: Permits,
    /// Hashes of a random secret, one per cost, made when first needed: what unknown logins,
    /// refused principals and padding are verified against.
    decoys: Mutex<HashMap<u32, PasswordHash>>,
    spent: Counters,
}

/// Verifications done so far: a figure for operators, and what tests count instead of timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spent {
    /// Candidates checked against a principal's real hash.
    pub checks: u64,
    /// Verifications against a decoy in place of a check (unknown or refused principals).
    pub decoys: u64,
    /// bcrypt's work in all of them, padding included, in units of a cost-0 verification.
    pub work: u64,
}

#[derive(Default)]
struct Counters {
    checks: AtomicU64,
    decoys: AtomicU64,
    work: AtomicU64,
}

impl PasswordHasher {
    /// New hashes at `cost`; every verification costs as much as one at `cost` or at
    /// `highest_stored_cost`, whichever is higher.
    pub fn new(
        cost: u32,
        highest_stored_cost: Option<u32>,
        max_concurrent: usize,
    ) -> Result<PasswordHasher> {
        let hasher = PasswordHasher {
            cost,
            floor: highest_stored_cost.map_or(cost, |stored| stored.max(cost)),
            permits: Permits::new(max_concurrent.max(1)),
            decoys: Mutex::new(HashMap::new()),
            spent: Counters::default(),
        };
        hasher.decoy(hasher.floor)?;
        Ok(hasher)
    }

    pub fn hash(&self, password: &Password) -> Result<PasswordHash> {
        self.hash_bytes(password.expose().as_bytes())
    }

    /// Whether a verified password's stored hash should be made again at the setting's cost.
    pub fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        cost_of(hash) != Some(self.cost)
    }

    /// A new hash of a candidate that has just been verified, at the setting's cost.
    pub fn rehash(&self, verified: &str) -> Result<PasswordHash> {
        self.hash_bytes(verified.as_bytes())
    }

    fn hash_bytes(&self, password: &[u8]) -> Result<PasswordHash> {
        let _permit = self.permits.acquire();
        bcrypt::hash(password, self.cost)
            .map(PasswordHash)
            .map_err(Error::unknown)
    }

    /// False for a wrong password, a password over bcrypt's limit, or an unreadable hash.
    /// A candidate over the limit still costs one verification, against a decoy.
    pub fn verify(&self, candidate: &str, hash: &PasswordHash) -> bool {
        self.spent.checks.fetch_add(1, Ordering::Relaxed);
        if candidate.len() > MAX_PASSWORD_BYTES {
            self.spend(candidate, cost_of(hash));
            return false;
        }
        let _permit = self.permits.acquire();
        let verified = bcrypt::verify(candidate, &hash.0).unwrap_or(false);
        self.pad(candidate, cost_of(hash).unwrap_or(self.floor));
        verified
    }

    /// Spends one verification's time where no password may be checked: an unknown login
    /// (`like` is `None`: at the floor), or a principal refused before its check (at the
    /// cost of its stored hash, `like`).
    pub fn verify_decoy(&self, candidate: &str, like: Option<&PasswordHash>) {
        self.spent.decoys.fetch_add(1, Ordering::Relaxed);
        self.spend(candidate, like.and_then(cost_of));
    }

    pub fn spent(&self) -> Spent {
        Spent {
            checks: self.spent.checks.load(Ordering::Relaxed),
            decoys: self.spent.decoys.load(Ordering::Relaxed),
            work: self.spent.work.load(Ordering::Relaxed),
        }
    }

    /// Verifications and hashes waiting for a permit now.
    pub fn waiting(&self) -> u64 {
        self.permits.waiting.load(Ordering::Relaxed)
    }

    fn spend(&self, candidate: &str, cost: Option<u32>) {
        let _permit = self.permits.acquire();
        let cost = cost.unwrap_or(self.floor);
        self.run_decoy(candidate, cost);
        self.pad(candidate, cost);
    }

    /// Decoy verifications at `cost`, `cost` + 1, … below the floor, after one at `cost`.
    fn pad(&self, candidate: &str, cost: u32) {
        self.spent
            .work
            .fetch_add(1 << cost.min(31), Ordering::Relaxed);
        for padding in cost..self.floor {
            self.run_decoy(candidate, padding);
            self.spent
                .work
                .fetch_add(1 << padding.min(31), Ordering::Relaxed);
        }
    }

    fn run_decoy(&self, candidate: &str, cost: u32) {
        let bytes = &candidate.as_bytes()[..candidate.len().min(MAX_PASSWORD_BYTES)];
        if let Ok(decoy) = self.decoy(cost) {
            let _ = bcrypt::verify(bytes, &decoy.0);
        }
    }

    fn decoy(&self, cost: u32) -> Result<PasswordHash> {
        let mut decoys = self.decoys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(decoy) = decoys.get(&cost) {
            return Ok(decoy.clone());
        }
        let mut secret = [0u8; 16];
        getrandom::fill(&mut secret).map_err(Error::unknown)?;
        let decoy = PasswordHash(bcrypt::hash(secret, cost).map_err(Error::unknown)?);
        decoys.insert(cost, decoy.clone());
        Ok(decoy)
    }
}

/// The cost written in a bcrypt hash; `None` for a hash that is not bcrypt's.
fn cost_of(hash: &PasswordHash) -> Option<u32> {
    bcrypt::HashParts::from_str(&hash.0)
        .ok()
        .map(|parts| parts.get_cost())
}

/// A counting semaphore for blocking threads.
struct Permits {
    available: Mutex<usize>,
    released: Condvar,
    /// Threads waiting for a permit: the queue in front of bcrypt.
    waiting: AtomicU64,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(count: usize) -> Permits {
        Permits {
            available: Mutex::new(count),
            released: Condvar::new(),
            waiting: AtomicU64::new(0),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        if *available == 0 {
            self.waiting.fetch_add(1, Ordering::Relaxed);
            while *available == 0 {
                available = self
                    .released
                    .wait(available)
                    .unwrap_or_else(|e| e.into_inner());
            }
            self.waiting.fetch_sub(1, Ordering::Relaxed);
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
        let hasher = PasswordHasher::new(4, None, 2).unwrap();
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
        let hasher = PasswordHasher::new(4, None, 2).unwrap();
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
