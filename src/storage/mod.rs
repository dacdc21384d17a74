//! Storage behind a trait, so that a server database can serve several gateway instances
//! later without touching the core or the adapters. SQL lives only below this module.

mod migrations;
mod sqlite;
mod web_sessions;

pub use sqlite::SqliteStore;
pub use web_sessions::{NewWebSession, SessionKey, WebSession, WebSessionStore};

use crate::domain::{
    Account, AccountId, ApiUser, ApiUserChanges, ApiUserId, NewAccount, NewAccountUser, NewApiUser,
    Paging, PasswordHash, Principal, Result, Timestamp,
};

/// A principal's stored credential, as authentication needs it.
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub principal: Principal,
    pub password_hash: PasswordHash,
    /// False for a disabled or locked API user.
    pub may_authenticate: bool,
}

/// The operations the use cases need. Ids of another account behave as ids that do not exist.
pub trait Store: WebSessionStore + Send + Sync {
    fn account(&self, id: AccountId) -> Result<Account>;
    fn first_account(&self) -> Result<Option<AccountId>>;
    fn create_account(&self, new: &NewAccount) -> Result<AccountId>;
    fn add_account_user(&self, new: &NewAccountUser) -> Result<()>;

    /// Looks a principal up by login, case-insensitively.
    fn credential(&self, login: &str) -> Result<Option<StoredCredential>>;

    /// Fails with `ApiUserExists` when the login is taken by any principal.
    fn insert_api_user(&self, new: &NewApiUser) -> Result<ApiUser>;
    fn list_api_users(&self, account: AccountId, paging: Paging) -> Result<Vec<ApiUser>>;
    fn api_user(&self, account: AccountId, id: ApiUserId) -> Result<ApiUser>;
    fn update_api_user(
        &self,
        account: AccountId,
        id: ApiUserId,
        changes: &ApiUserChanges,
    ) -> Result<ApiUser>;
    fn set_api_user_password(
        &self,
        account: AccountId,
        id: ApiUserId,
        hash: &PasswordHash,
    ) -> Result<()>;
    fn unlock_api_user(&self, account: AccountId, id: ApiUserId) -> Result<()>;
    fn delete_api_user(&self, account: AccountId, id: ApiUserId) -> Result<()>;

    /// Records a successful call; skips the write when the stored time is under a minute old.
    fn record_api_user_use(&self, id: ApiUserId, at: Timestamp) -> Result<()>;
}
