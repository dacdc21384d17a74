use super::Gateway;
use crate::domain::{ApiUser, ApiUserId, Principal, Result};

pub fn get_api_user(gateway: &Gateway, principal: &Principal, id: &str) -> Result<ApiUser> {
    principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    gateway.store.api_user(principal.account, id)
}
