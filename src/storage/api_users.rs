//! API users: the principals that call the API, each in one account.

use crate::domain::{
    AccountId, ApiUser, ApiUserChanges, ApiUserId, Audit, Description, Login, NewApiUser, Paging,
    PasswordHash, Result, Status, Timestamp,
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

/// The API user columns, in the order of `ApiUserRow`'s fields.
pub(super) const API_USER_COLUMNS: &str =
    "id, account_id, login, description, status, tiered_rate_limit, locked, created, last_used";

/// An API user's row as stored, before its values pass their domain rules again.
pub(super) struct ApiUserRow {
    pub id: i32,
    pub account: i64,
    pub login: String,
    pub description: String,
    pub status: String,
    pub tiered_rate_limit: bool,
    pub locked: bool,
    pub created: i64,
    pub last_used: Option<i64>,
}

impl ApiUserRow {
    pub fn into_api_user(self) -> Result<ApiUser> {
        Ok(ApiUser {
            id: ApiUserId(self.id),
            account: AccountId(self.account),
            login: Login::parse(&self.login, "email")?,
            description: Description::parse(&self.description)?,
            status: Status::parse(&self.status)?,
            tiered_rate_limit: self.tiered_rate_limit,
            locked: self.locked,
            created: Timestamp(self.created),
            last_used: self.last_used.map(Timestamp),
        })
    }
}
