use super::{ApiUserInput, Gateway};
use crate::domain::{
    ApiUser, ApiUserChanges, ApiUserId, Description, Error, Manager, Result, Status,
};

/// An update as asked for: the changes parsed, and the login as sent back (it may only be
/// the user's own, which `update_api_user` checks against the stored one).
pub struct ApiUserUpdate {
    pub email: Option<String>,
    pub changes: ApiUserChanges,
}

impl TryFrom<ApiUserInput> for ApiUserUpdate {
    type Error = Error;

    /// Passwords have their own operation: one given here is refused.
    fn try_from(input: ApiUserInput) -> Result<ApiUserUpdate> {
        if input.password.is_some() || input.confirm_password.is_some() {
            return Err(Error::ParameterInvalid("password"));
        }
        Ok(ApiUserUpdate {
            email: input.email().map(str::to_owned),
            changes: ApiUserChanges {
                description: input
                    .description
                    .as_deref()
                    .map(Description::parse)
                    .transpose()?,
                status: input.status.as_deref().map(Status::parse).transpose()?,
                tiered_rate_limit: input.tiered_rate_limit,
            },
        })
    }
}

/// Changes description, status and rate-limit scheme; only the fields given change. The login
/// never changes (sending it back unchanged is fine).
pub fn update_api_user(
    gateway: &Gateway,
    manager: &Manager,
    id: ApiUserId,
    update: ApiUserUpdate,
) -> Result<ApiUser> {
    let account = manager.principal.account;
    if let Some(email) = &update.email {
        let current = gateway.store.api_user(account, id)?;
        if !email.eq_ignore_ascii_case(current.login.as_str()) {
            return Err(Error::ParameterInvalid("email"));
        }
    }
    gateway
        .store
        .update_api_user(account, id, &update.changes, &manager.audit())
}
