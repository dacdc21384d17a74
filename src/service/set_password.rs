use super::Gateway;
use crate::domain::{ApiUserId, Caller, Error, Password, PasswordOwner, Result};

/// Sets an API user's password; it takes effect on the next call.
pub fn set_api_user_password(
    gateway: &Gateway,
    caller: &Caller,
    id: &str,
    password: Option<&str>,
    confirm_password: Option<&str>,
) -> Result<()> {
    caller.principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    let password = password.ok_or(Error::ParameterInvalid("password"))?;
    let user = gateway.store.api_user(caller.principal.account, id)?;
    let account = gateway.store.account(caller.principal.account)?;
    let owner = PasswordOwner {
        login: &user.login,
        account_name: &account.name,
    };
    let password = Password::parse(password, confirm_password, &owner)?;
    let hash = gateway.hasher.hash(&password)?;
    gateway
        .store
        .set_api_user_password(caller.principal.account, id, &hash, &caller.audit())
}
