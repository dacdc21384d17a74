//! Operator commands (first start and the CLI): accounts and their audit trail; their users
//! are managed in `account_users`, shared with the page. They run with the operator's
//! authority, so they take no principal; the audit trail records them as the CLI's.

use super::Gateway;
use crate::domain::audit::CLI_ACTOR;
use crate::domain::{
    AccountId, AccountName, Audit, AuditEvent, AuditFilter, Error, Login, NewAccount, Origin,
    Paging, Password, PasswordOwner, Result, Timestamp,
};
use base64::Engine;

/// The audit context of the operator's changes.
pub(super) fn operator() -> Audit {
    Audit {
        actor: CLI_ACTOR.to_owned(),
        origin: Origin::cli(),
        at: Timestamp::now(),
    }
}

/// Creates an account and its owner.
pub fn create_account(
    gateway: &Gateway,
    name: &str,
    owner_email: &str,
    owner_password: &str,
) -> Result<AccountId> {
    let name = AccountName::parse(name)?;
    let login = Login::parse(owner_email, "email")?;
    let owner = PasswordOwner {
        login: &login,
        account_name: name.as_str(),
    };
    let password = Password::parse(owner_password, None, &owner)?;
    gateway.store.create_account(
        &NewAccount {
            name: name.as_str().to_owned(),
            owner_login: login,
            owner_password_hash: gateway.hasher.hash(&password)?,
        },
        &operator(),
    )
}

/// An account's audit trail for the operator (the first account when none is named), newest
/// first.
pub fn audit_trail(
    gateway: &Gateway,
    account: Option<AccountId>,
    select: Option<&str>,
    skip: Option<&str>,
) -> Result<Vec<AuditEvent>> {
    let paging = Paging::parse(select, skip)?;
    let account = resolve_account(gateway, account)?;
    gateway
        .store
        .list_audit_events(account, &AuditFilter::default(), paging)
}

/// The account named, or the first one.
pub(super) fn resolve_account(gateway: &Gateway, account: Option<AccountId>) -> Result<AccountId> {
    match account {
        Some(id) => Ok(id),
        None => gateway
            .store
            .first_account()?
            .ok_or(Error::ParameterInvalid("account")),
    }
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
    let account = match create_account(gateway, account_name, owner_email, password) {
        Ok(account) => account,
        // Instances starting together on one empty database race to create the owner: the
        // login's uniqueness lets one win, and the others start on what it created.
        Err(Error::ApiUserExists) if gateway.store.first_account()?.is_some() => {
            return Ok(Bootstrap::Existing);
        }
        Err(error) => return Err(error),
    };
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
