//! Storage behind a trait, so that a server database can serve several gateway instances
//! later without touching the core or the adapters. SQL lives only below this module.

mod migrations;
mod sqlite;
mod web_sessions;

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
    /// Wrong passwords counted in the current window.
    pub failed_logins: u32,
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
pub trait Store: WebSessionStore + Send + Sync {
    fn account(&self, id: AccountId) -> Result<Account>;
    fn first_account(&self) -> Result<Option<AccountId>>;
    fn create_account(&self, new: &NewAccount, audit: &Audit) -> Result<AccountId>;
    fn add_account_user(&self, new: &NewAccountUser, audit: &Audit) -> Result<()>;
    /// Clears an account user's lock; `Ok(false)` when no account user has this login.
    fn unlock_account_user(&self, login: &Login, audit: &Audit) -> Result<bool>;

    /// Looks a principal up by login, case-insensitively.
    fn credential(&self, login: &str) -> Result<Option<StoredCredential>>;
    /// Counts a wrong password for an existing login: the count restarts when the window
    /// since the first counted failure has passed. Returns the count now.
    fn count_failed_login(&self, login: &Login, at: Timestamp, window_seconds: i64) -> Result<u32>;
    /// Locks the principal of `login`; `Ok(true)` when this call locked it (and recorded the
    /// event), `Ok(false)` when it was locked already.
    fn lock_login(&self, login: &Login, audit: &Audit) -> Result<bool>;
    /// Forgets counted wrong passwords after a successful sign-in.
    fn clear_failed_logins(&self, login: &Login) -> Result<()>;

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
