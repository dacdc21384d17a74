//! Accounts and their account users (the people who sign in to manage an account).

use crate::domain::{
    Account, AccountId, AccountUser, AccountUserId, Audit, Login, NewAccount, NewAccountUser,
    PasswordHash, Principal, Result, Role,
};

pub trait AccountStore: Send + Sync {
    fn account(&self, id: AccountId) -> Result<Account>;
    /// The oldest account; `None` on an empty database.
    fn first_account(&self) -> Result<Option<AccountId>>;
    /// Creates an account and its owner. Fails with `ApiUserExists` when the owner's login is
    /// taken by any principal.
    fn create_account(&self, new: &NewAccount, audit: &Audit) -> Result<AccountId>;
    /// Fails with `ApiUserExists` when the login is taken by any principal.
    fn add_account_user(&self, new: &NewAccountUser, audit: &Audit) -> Result<()>;
    /// Clears an account user's lock and its login's failure budget; `Ok(false)` when no
    /// account user has this login.
    fn unlock_account_user(&self, login: &Login, audit: &Audit) -> Result<bool>;
    /// An account's users, the owner first, then in the order they were added.
    fn account_users(&self, account: AccountId) -> Result<Vec<AccountUser>>;
    /// The account's user with this id; `None` when the account has none.
    fn account_user(&self, account: AccountId, id: AccountUserId) -> Result<Option<AccountUser>>;
    /// The account user with this login, in whichever account; `None` when there is none.
    fn account_user_by_login(&self, login: &Login) -> Result<Option<AccountUser>>;
    /// Gives or takes "Can manage account" (`AccountUserUpdated`); `Ok(false)` when the account
    /// has no such user.
    fn set_can_manage_account(
        &self,
        account: AccountId,
        id: AccountUserId,
        can_manage_account: bool,
        audit: &Audit,
    ) -> Result<bool>;
    /// Replaces the password hash (`AccountUserPasswordSet`); `Ok(false)` as above.
    fn set_account_user_password(
        &self,
        account: AccountId,
        id: AccountUserId,
        hash: &PasswordHash,
        audit: &Audit,
    ) -> Result<bool>;
    /// Removes the user with its sessions, failure budget and login, which becomes free
    /// (`AccountUserRemoved`); `Ok(false)` as above.
    fn remove_account_user(
        &self,
        account: AccountId,
        id: AccountUserId,
        audit: &Audit,
    ) -> Result<bool>;
}

/// A principal from its stored account, login and role.
pub(super) fn stored_principal(account: i64, login: &str, role: Role) -> Result<Principal> {
    Ok(Principal {
        account: AccountId(account),
        login: Login::parse(login, "email")?,
        role,
    })
}

/// An account user's role from its stored flags.
pub(super) fn account_user_role(is_owner: bool, can_manage_account: bool) -> Role {
    if is_owner {
        Role::Owner
    } else {
        Role::AccountUser { can_manage_account }
    }
}
