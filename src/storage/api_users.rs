//! API users: the principals that call the API, each in one account.

use crate::domain::{
    AccountId, ApiUser, ApiUserChanges, ApiUserId, Audit, NewApiUser, Paging, PasswordHash, Result,
    Timestamp,
};

/// Every method but `insert_api_user` and `record_api_user_use` names the API user by its
/// account and id: an id of another account is `ApiUserNotFound`, as one that does not exist.
pub trait ApiUserStore: Send + Sync {
    /// Fails with `ApiUserExists` when the login is taken by any principal. Ids only grow: a
    /// deleted API user's id is never handed out again.
    fn insert_api_user(&self, new: &NewApiUser, audit: &Audit) -> Result<ApiUser>;
    /// The account's API users by id.
    fn list_api_users(&self, account: AccountId, paging: Paging) -> Result<Vec<ApiUser>>;
    fn api_user(&self, account: AccountId, id: ApiUserId) -> Result<ApiUser>;
    /// Applies the changes given (a `None` field stays) and returns the API user as stored.
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
    /// Clears the lock and the login's failure budget.
    fn unlock_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()>;
    /// Deletes the API user and frees its login; its audit events stay.
    fn delete_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()>;
    /// Records a successful call at `at` (never moving `lastUsed` back).
    fn record_api_user_use(&self, id: ApiUserId, at: Timestamp) -> Result<()>;
}
