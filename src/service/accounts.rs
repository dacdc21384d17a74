//! Operator commands (first start and the CLI): accounts and the people who sign in to them.
//! They run with the operator's authority, so they take no principal.

use super::Gateway;
use crate::domain::{
    AccountId, Error, Login, NewAccount, NewAccountUser, Password, PasswordOwner, Result,
};
use base64::Engine;

/// Creates an account and its owner.
pub fn create_account(
    gateway: &Gateway,
    name: &str,
    owner_email: &str,
    owner_password: &str,
) -> Result<AccountId> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(Error::ParameterInvalid("name"));
    }
    let login = Login::parse(owner_email, "email")?;
    let owner = PasswordOwner {
        login: &login,
        account_name: name,
    };
    let password = Password::parse(owner_password, None, &owner)?;
    gateway.store.create_account(&NewAccount {
        name: name.to_owned(),
        owner_login: login,
        owner_password_hash: gateway.hasher.hash(&password)?,
    })
}

/// Adds an account user, with or without "Can manage account", to an account (the first one
/// when none is named).
pub fn add_account_user(
    gateway: &Gateway,
    account: Option<AccountId>,
    email: &str,
    password: &str,
    can_manage_account: bool,
) -> Result<AccountId> {
    let account = match account {
        Some(id) => id,
        None => gateway
            .store
            .first_account()?
            .ok_or(Error::ParameterInvalid("account"))?,
    };
    let name = gateway
        .store
        .account(account)
        .map_err(|_| Error::ParameterInvalid("account"))?
        .name;
    let login = Login::parse(email, "email")?;
    let owner = PasswordOwner {
        login: &login,
        account_name: &name,
    };
    let password = Password::parse(password, None, &owner)?;
    gateway.store.add_account_user(&NewAccountUser {
        account,
        login,
        password_hash: gateway.hasher.hash(&password)?,
        can_manage_account,
    })?;
    Ok(account)
}

/// The outcome of first-start bootstrap.
#[derive(Debug)]
pub enum Bootstrap {
    /// The database already had an account; nothing was changed.
    Existing,
    /// A new account and owner; `generated_password` is set when the password was generated
    /// and must be shown to the operator once.
    Created {
        account: AccountId,
        owner: String,
        generated_password: Option<String>,
    },
}

/// On an empty database, creates the first account and its owner.
pub fn bootstrap(
    gateway: &Gateway,
    account_name: &str,
    owner_email: &str,
    owner_password: Option<&str>,
) -> Result<Bootstrap> {
    if gateway.store.first_account()?.is_some() {
        return Ok(Bootstrap::Existing);
    }
    let generated_password = match owner_password {
        Some(_) => None,
        None => Some(generate_password()?),
    };
    let password = owner_password
        .or(generated_password.as_deref())
        .unwrap_or_default();
    let account = create_account(gateway, account_name, owner_email, password)?;
    Ok(Bootstrap::Created {
        account,
        owner: Login::parse(owner_email, "email")?.to_string(),
        generated_password,
    })
}

/// 24 characters from 144 random bits, with the policy's digit-or-symbol guaranteed.
fn generate_password() -> Result<String> {
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).map_err(Error::unknown)?;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    Ok(format!("{text}-7"))
}
