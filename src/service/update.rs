use super::{ApiUserInput, Gateway};
use crate::domain::{
    ApiUser, ApiUserChanges, ApiUserId, Caller, Description, Error, Result, Status,
};

/// Changes description, status and rate-limit scheme; only the fields given change. The login
/// never changes (sending it back unchanged is fine) and passwords have their own operation.
pub fn update_api_user(
    gateway: &Gateway,
    caller: &Caller,
    id: &str,
    input: &ApiUserInput,
) -> Result<ApiUser> {
    caller.principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    if input.password.is_some() || input.confirm_password.is_some() {
        return Err(Error::ParameterInvalid("password"));
    }
    let changes = ApiUserChanges {
        description: input
            .description
            .as_deref()
            .map(Description::parse)
            .transpose()?,
        status: input.status.as_deref().map(Status::parse).transpose()?,
        tiered_rate_limit: input.tiered_rate_limit,
    };
    if let Some(email) = input.email() {
        let current = gateway.store.api_user(caller.principal.account, id)?;
        if !email.eq_ignore_ascii_case(current.login.as_str()) {
            return Err(Error::ParameterInvalid("email"));
        }
    }
    gateway
        .store
        .update_api_user(caller.principal.account, id, &changes, &caller.audit())
}
