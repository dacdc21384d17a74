use super::{ApiUserInput, Gateway};
use crate::domain::{
    ApiUser, Description, Error, Login, Manager, NewApiUser, Password, PasswordOwner, Result,
    Status, Timestamp,
};

/// How many generated logins to try before giving up; a collision of 48 random bits is
/// already vanishingly rare.
const GENERATION_ATTEMPTS: usize = 5;

/// A new API user as asked for, its fields that stand alone parsed. The login and the password
/// are checked by `create_api_user`: the login's domain is a setting, and the password's
/// policy needs the login and the account's name.
pub struct NewApiUserRequest {
    pub email: Option<String>,
    pub description: Description,
    pub status: Status,
    pub tiered_rate_limit: bool,
    pub password: Option<String>,
    pub confirm_password: Option<String>,
}

impl TryFrom<ApiUserInput> for NewApiUserRequest {
    type Error = Error;

    fn try_from(input: ApiUserInput) -> Result<NewApiUserRequest> {
        Ok(NewApiUserRequest {
            email: input.email().map(str::to_owned),
            description: Description::parse(input.description.as_deref().unwrap_or(""))?,
            status: input
                .status
                .as_deref()
                .map(Status::parse)
                .transpose()?
                .unwrap_or_default(),
            tiered_rate_limit: input.tiered_rate_limit.unwrap_or(true),
            password: input.password,
            confirm_password: input.confirm_password,
        })
    }
}

/// Creates an API user in the caller's account, with a generated login unless one is given.
pub fn create_api_user(
    gateway: &Gateway,
    manager: &Manager,
    request: NewApiUserRequest,
) -> Result<ApiUser> {
    let domain = &gateway.settings.apiuser_domain;
    let given_login = request
        .email
        .as_deref()
        .map(|email| Login::parse_in_domain(email, domain))
        .transpose()?;
    let raw_password = request
        .password
        .as_deref()
        .ok_or(Error::ParameterInvalid("password"))?;
    let account = gateway.store.account(manager.principal.account)?;
    let check_password = |login: &Login| {
        let owner = PasswordOwner {
            login,
            account_name: &account.name,
        };
        Password::parse(raw_password, request.confirm_password.as_deref(), &owner)
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
            account: manager.principal.account,
            login: login.clone(),
            description: request.description.clone(),
            status: request.status,
            tiered_rate_limit: request.tiered_rate_limit,
            password_hash: hash.clone(),
            created: Timestamp::now(),
        };
        match gateway.store.insert_api_user(&new, &manager.audit()) {
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
