use super::Gateway;
use crate::domain::{ApiUserId, Error, Manager, Password, PasswordOwner, Result};

/// Sets an API user's password; it takes effect on the next call.
pub fn set_api_user_password(
    gateway: &Gateway,
    manager: &Manager,
    id: ApiUserId,
    password: Option<&str>,
    confirm_password: Option<&str>,
) -> Result<()> {
    let password = password.ok_or(Error::ParameterInvalid("password"))?;
    let user = gateway.store.api_user(manager.principal.account, id)?;
    let account = gateway.store.account(manager.principal.account)?;
    let owner = PasswordOwner {
        login: &user.login,
        account_name: &account.name,
    };
    let password = Password::parse(password, confirm_password, &owner)?;
    let hash = gateway.hasher.hash(&password)?;
    gateway
        .store
        .set_api_user_password(manager.principal.account, id, &hash, &manager.audit())
}
