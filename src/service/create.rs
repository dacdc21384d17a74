use super::{ApiUserInput, Gateway};
use crate::domain::{
    ApiUser, Caller, Description, Error, Login, NewApiUser, Password, PasswordOwner, Result,
    Status, Timestamp,
};

/// How many generated logins to try before giving up; a collision of 48 random bits is
/// already vanishingly rare.
const GENERATION_ATTEMPTS: usize = 5;

/// Creates an API user in the caller's account, with a generated login unless one is given.
pub fn create_api_user(
    gateway: &Gateway,
    caller: &Caller,
    input: &ApiUserInput,
) -> Result<ApiUser> {
    caller.principal.require_manage_account()?;
    let domain = &gateway.settings.apiuser_domain;
    let description = Description::parse(input.description.as_deref().unwrap_or(""))?;
    let status = input
        .status
        .as_deref()
        .map(Status::parse)
        .transpose()?
        .unwrap_or_default();
    let given_login = input
        .email()
        .map(|email| Login::parse_in_domain(email, domain))
        .transpose()?;
    let raw_password = input
        .password
        .as_deref()
        .ok_or(Error::ParameterInvalid("password"))?;
    let account = gateway.store.account(caller.principal.account)?;
    let check_password = |login: &Login| {
        let owner = PasswordOwner {
            login,
            account_name: &account.name,
        };
        Password::parse(raw_password, input.confirm_password.as_deref(), &owner)
    };

    let mut login = match given_login.clone() {
        Some(login) => login,
        None => Login::generate(domain)?,
    };
    let hash = gateway.hasher.hash(&check_password(&login)?)?;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let new = NewApiUser {
            account: caller.principal.account,
            login: login.clone(),
            description: description.clone(),
            status,
            tiered_rate_limit: input.tiered_rate_limit.unwrap_or(true),
            password_hash: hash.clone(),
            created: Timestamp::now(),
        };
        match gateway.store.insert_api_user(&new, &caller.audit()) {
            Err(Error::ApiUserExists)
                if given_login.is_none() && attempts < GENERATION_ATTEMPTS =>
            {
                login = Login::generate(domain)?;
                check_password(&login)?;
            }
            outcome => return outcome,
        }
    }
}
