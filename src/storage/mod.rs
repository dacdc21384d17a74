//! Storage behind a trait, so that a server database can serve several gateway instances
//! later without touching the core or the adapters. SQL lives only below this module.

mod login_attempts;
mod sqlite;
mod web_sessions;

pub use login_attempts::{
    Attempt, AttemptId, Fingerprint, LockoutRule, LoginAttemptStore, SLOT_HELD_AT_MOST_SECONDS,
};
pub use sqlite::SqliteStore;
pub use web_sessions::{NewWebSession, SessionKey, WebSession, WebSessionStore};

use crate::domain::{
    Account, AccountId, ApiUser, ApiUserChanges, ApiUserId, Audit, AuditEvent, Login, NewAccount,
    NewAccountUser, NewApiUser, Paging, PasswordHash, Principal, Result, Timestamp,
};

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

/// The operations the use cases need. Ids of another account behave as ids that do not exist.
///
/// Every change to an API user or account user takes an `Audit` and records its audit event
/// in the same transaction as the change: no change without its event, no event without its
/// change.
pub trait Store: LoginAttemptStore + WebSessionStore + Send + Sync {
    fn account(&self, id: AccountId) -> Result<Account>;
    fn first_account(&self) -> Result<Option<AccountId>>;
    fn create_account(&self, new: &NewAccount, audit: &Audit) -> Result<AccountId>;
    fn add_account_user(&self, new: &NewAccountUser, audit: &Audit) -> Result<()>;
    /// Clears an account user's lock; `Ok(false)` when no account user has this login.
    fn unlock_account_user(&self, login: &Login, audit: &Audit) -> Result<bool>;

    /// Looks a principal up by login, case-insensitively.
    fn credential(&self, login: &str) -> Result<Option<StoredCredential>>;
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

    /// Fails with `ApiUserExists` when the login is taken by any principal.
    fn insert_api_user(&self, new: &NewApiUser, audit: &Audit) -> Result<ApiUser>;
    fn list_api_users(&self, account: AccountId, paging: Paging) -> Result<Vec<ApiUser>>;
    fn api_user(&self, account: AccountId, id: ApiUserId) -> Result<ApiUser>;
    fn update_api_user(
        &self,
        account: AccountId,
        id: ApiUserId,
        changes: &ApiUserChanges,
        audit: &Audit,
    ) -> Result<ApiUser>;
    fn set_api_user_password(
        &self,
        account: AccountId,
        id: ApiUserId,
        hash: &PasswordHash,
        audit: &Audit,
    ) -> Result<()>;
    /// Clears the lock and the counted wrong passwords.
    fn unlock_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()>;
    fn delete_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()>;

    /// An account's audit events, newest first.
    fn list_audit_events(&self, account: AccountId, paging: Paging) -> Result<Vec<AuditEvent>>;

    /// Records a successful call at `at` (never moving `lastUsed` back).
    fn record_api_user_use(&self, id: ApiUserId, at: Timestamp) -> Result<()>;
}
