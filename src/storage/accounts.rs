//! Accounts and their account users (the people who sign in to manage an account).

use crate::domain::{
    Account, AccountId, Audit, Login, NewAccount, NewAccountUser, Principal, Result, Role,
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
