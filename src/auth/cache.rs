//! Recognises credentials that bcrypt has already verified, without bcrypt: HTTP Basic sends
//! the password on every call, and a verification costs up to a quarter of a second.
//!
//! The key is an HMAC-SHA256, under a secret drawn at start-up, of the scheme, login and
//! password, so no password is kept. An entry only says "these credentials matched this
//! stored hash": callers still read the principal's current row and compare its hash, so a
//! password change, disable, lock or delete counts on the very next call. Failures are never
//! cached, and concurrent first calls with the same credentials share one verification.

use crate::domain::{Error, PasswordHash, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

type Key = [u8; 32];

/// How credentials arrived: the same login and password sent another way is another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Basic,
    UsernameToken,
}

pub struct CredentialCache {
    secret: [u8; 32],
    capacity: usize,
    ttl: Duration,
    entries: Mutex<HashMap<Key, Entry>>,
    in_flight: Mutex<HashMap<Key, Arc<Flight>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Checks the cache answered, and checks that ran bcrypt: a figure for operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheCounts {
    pub hits: u64,
    pub misses: u64,
}

struct Entry {
    hash: PasswordHash,
    expires: Instant,
}

/// One verification in progress; `outcome` is set when it ends.
#[derive(Default)]
struct Flight {
    outcome: Mutex<Option<bool>>,
    done: Condvar,
}

impl Flight {
    fn finish(&self, verified: bool) {
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(verified);
        self.done.notify_all();
    }

    fn wait(&self) -> bool {
        let mut outcome = self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(verified) = *outcome {
                return verified;
            }
            outcome = self.done.wait(outcome).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl CredentialCache {
    /// At most `capacity` entries (0 turns the cache off), each recognised for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Result<CredentialCache> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(Error::unknown)?;
        Ok(CredentialCache {
            secret,
            capacity,
            ttl,
            entries: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        })
    }

    fn key(&self, scheme: Scheme, login: &str, password: &str) -> Key {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length");
        let scheme: &[u8] = match scheme {
            Scheme::Basic => b"basic",
            Scheme::UsernameToken => b"wsse",
        };
        for part in [scheme, login.as_bytes(), password.as_bytes()] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Whether the credentials match `stored`: recognised from an earlier verification of
    /// that same hash, or else by `verify` (bcrypt), run once for all concurrent callers with
    /// the same credentials. A failed verification is not shared: each caller verifies.
    pub fn check(
        &self,
        scheme: Scheme,
        login: &str,
        password: &str,
        stored: &PasswordHash,
        verify: impl Fn() -> Result<bool>,
    ) -> Result<bool> {
        if self.capacity == 0 {
            return self.verify_missed(verify);
        }
        let key = self.key(scheme, login, password);
        if self.recognised(&key, stored) {
            return Ok(true);
        }
        let (flight, leads) = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            match in_flight.get(&key) {
                Some(flight) => (Arc::clone(flight), false),
                None => {
                    let flight = Arc::new(Flight::default());
                    in_flight.insert(key, Arc::clone(&flight));
                    (flight, true)
                }
            }
        };
        if leads {
            let verified = self.verify_missed(verify);
            if matches!(verified, Ok(true)) {
                self.remember(key, stored);
            }
            self.in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            flight.finish(matches!(verified, Ok(true)));
            return verified;
        }
        if flight.wait() && self.recognised(&key, stored) {
            return Ok(true);
        }
        let verified = self.verify_missed(verify);
        if matches!(verified, Ok(true)) {
            self.remember(key, stored);
        }
        verified
    }

    /// Whether an earlier verification of `stored` vouches for these credentials, counted as
    /// a hit when it does. A miss is not counted: it is left to `check`.
    pub fn vouches_for(
        &self,
        scheme: Scheme,
        login: &str,
        password: &str,
        stored: &PasswordHash,
    ) -> bool {
        self.capacity > 0 && self.recognised(&self.key(scheme, login, password), stored)
    }

    pub fn counts(&self) -> CacheCounts {
        CacheCounts {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// `recognises`, counted as a hit when it does.
    fn recognised(&self, key: &Key, stored: &PasswordHash) -> bool {
        let recognised = self.recognises(key, stored);
        if recognised {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        recognised
    }

    fn verify_missed(&self, verify: impl Fn() -> Result<bool>) -> Result<bool> {
        self.misses.fetch_add(1, Ordering::Relaxed);
        verify()
    }

    fn recognises(&self, key: &Key, stored: &PasswordHash) -> bool {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .is_some_and(|entry| entry.hash == *stored && entry.expires > Instant::now())
    }

    fn remember(&self, key: Key, hash: &PasswordHash) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.expires > now);
            if entries.len() >= self.capacity {
                let oldest = entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.expires)
                    .map(|(key, _)| *key);
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(
            key,
            Entry {
                hash: hash.clone(),
                expires: now + self.ttl,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn hash(text: &str) -> PasswordHash {
        PasswordHash(text.to_owned())
    }

    fn counted(calls: &AtomicUsize, outcome: bool) -> impl Fn() -> Result<bool> + '_ {
        move || {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(outcome)
        }
    }

    #[test]
    fn a_verified_credential_is_recognised_until_its_hash_changes() {
        let cache = CredentialCache::new(10, Duration::from_secs(60)).unwrap();
        let calls = AtomicUsize::new(0);
        let check = |password, stored: &str| {
            cache
                .check(
                    Scheme::Basic,
                    "a@x.example",
                    password,
                    &hash(stored),
                    counted(&calls, true),
                )
                .unwrap()
        };
        assert!(check("pw-1", "$h1"));
        assert!(check("pw-1", "$h1"));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the second call needs no bcrypt"
        );
        assert!(check("pw-1", "$h2"), "a new stored hash is verified again");
        assert!(check("pw-2", "$h2"));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let other_scheme = cache
            .check(
                Scheme::UsernameToken,
                "a@x.example",
                "pw-2",
                &hash("$h2"),
                counted(&calls, true),
            )
            .unwrap();
        assert!(other_scheme);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            4,
            "the scheme is part of the key"
        );
    }

    #[test]
    fn failures_are_never_cached() {
        let cache = CredentialCache::new(10, Duration::from_secs(60)).unwrap();
        let calls = AtomicUsize::new(0);
        for _ in 0..3 {
            let verified = cache.check(
                Scheme::Basic,
                "a@x.example",
                "wrong",
                &hash("$h"),
                counted(&calls, false),
            );
            assert!(!verified.unwrap());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn entries_expire_and_the_size_is_bounded() {
        let cache = CredentialCache::new(2, Duration::ZERO).unwrap();
        let calls = AtomicUsize::new(0);
        for _ in 0..2 {
            cache
                .check(Scheme::Basic, "a", "p", &hash("$h"), counted(&calls, true))
                .unwrap();
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "a zero time to live keeps nothing"
        );
        let cache = CredentialCache::new(2, Duration::from_secs(60)).unwrap();
        for login in ["a", "b", "c"] {
            cache
                .check(Scheme::Basic, login, "p", &hash("$h"), || Ok(true))
                .unwrap();
        }
        assert_eq!(cache.entries.lock().unwrap().len(), 2);
    }

    #[test]
    fn concurrent_first_calls_share_one_verification() {
        let cache = CredentialCache::new(10, Duration::from_secs(60)).unwrap();
        let calls = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let verified = cache.check(Scheme::Basic, "a", "p", &hash("$h"), || {
                        calls.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        Ok(true)
                    });
                    assert!(verified.unwrap());
                });
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
