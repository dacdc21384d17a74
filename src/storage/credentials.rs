//! What authentication reads and keeps: a principal's stored credential, and each login's
//! failure budget.
//!
//! The budget is kept in the store so that every check of a password, on any thread (and
//! later on any gateway instance sharing the database), draws from the same one. A check
//! takes a slot before bcrypt runs and settles it after: a wrong password keeps its slot as a
//! counted failure, a right one gives it back and clears the count. Slots in use and failures
//! within the window together never exceed the threshold, so however many attempts arrive at
//! once, no more than the threshold's worth of passwords are checked before the lock.

use crate::domain::{Audit, Fingerprint, Login, PasswordHash, Principal, Result, Timestamp};

/// A principal's stored credential, as authentication needs it.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub principal: Principal,
    pub password_hash: PasswordHash,
    /// False for a disabled API user and for any locked principal.
    pub may_authenticate: bool,
    /// Whether wrong passwords are counted against the login (a success clears them).
    pub failures_counted: bool,
    /// An API user's rate-limit scheme: Tiered (per minute) or Flat (per rolling hour).
    pub tiered_rate_limit: bool,
    /// An API user's last successful call.
    pub last_used: Option<Timestamp>,
}

/// A slot held in progress longer than this is taken to belong to a check that died with its
/// process, and is given back: far longer than any verification waits and runs.
pub const SLOT_HELD_AT_MOST_SECONDS: i64 = 120;

/// The lockout rule as the store applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutRule {
    /// Wrong passwords within any window's span that lock the login.
    pub threshold: u32,
    /// The window's span, in seconds as every `Timestamp`.
    pub window_seconds: i64,
}

/// A slot in a login's failure budget, held by one password check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptId(pub i64);

/// What a password check may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// A slot is held: check the password, then settle the slot.
    Reserved(AttemptId),
    /// A wrong password with this fingerprint is counted (or being checked) within the window
    /// already: check it without a slot; if wrong again it is not counted again.
    Repeated,
    /// The login is locked or its budget is spent: refuse without checking the password.
    Refused,
}

pub trait CredentialStore: Send + Sync {
    /// The principal with this login, API user or account user; `None` when nobody has it.
    fn credential(&self, login: &Login) -> Result<Option<StoredCredential>>;
    /// Stores a new hash of the same password (at another bcrypt cost) unless the password
    /// was changed meanwhile.
    fn replace_password_hash(
        &self,
        login: &Login,
        old: &PasswordHash,
        new: &PasswordHash,
    ) -> Result<()>;
    /// The highest bcrypt cost among stored password hashes; `None` when none is stored.
    fn highest_password_cost(&self) -> Result<Option<u32>>;

    /// Takes a slot in `login`'s failure budget for one password check at `at`.
    fn reserve_login_attempt(
        &self,
        login: &Login,
        fingerprint: Fingerprint,
        at: Timestamp,
        rule: LockoutRule,
    ) -> Result<Attempt>;
    /// The password checked under `attempt` was wrong: its slot becomes a counted failure,
    /// and when the failures within the window reach the threshold the principal is locked,
    /// with its audit event, in the same transaction. `Ok(true)` when this failure locked it.
    fn count_failed_attempt(
        &self,
        attempt: AttemptId,
        login: &Login,
        fingerprint: Fingerprint,
        rule: LockoutRule,
        audit: &Audit,
    ) -> Result<bool>;
    /// A right password: gives back `attempt`'s slot (if one was held) and forgets the counted
    /// failures. `Ok(false)` when the principal was locked meanwhile and must be refused.
    fn clear_login_attempts(&self, login: &Login, attempt: Option<AttemptId>) -> Result<bool>;
}

/// The budget's rule for a new check of an unlocked login, given the fingerprints of its slots
/// and counted failures within the window: `None` when the check may take a slot.
pub(super) fn without_a_slot(
    held: &[u16],
    fingerprint: Fingerprint,
    rule: LockoutRule,
) -> Option<Attempt> {
    if held.contains(&fingerprint.0) {
        Some(Attempt::Repeated)
    } else if held.len() >= usize::try_from(rule.threshold).unwrap_or(usize::MAX) {
        Some(Attempt::Refused)
    } else {
        None
    }
}
