use super::Gateway;
use crate::domain::{ApiUser, ApiUserId, Caller, Result};

pub fn get_api_user(gateway: &Gateway, caller: &Caller, id: &str) -> Result<ApiUser> {
    caller.principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    gateway.store.api_user(caller.principal.account, id)
}
