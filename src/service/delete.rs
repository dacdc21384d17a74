use super::Gateway;
use crate::domain::{ApiUserId, Principal, Result};

pub fn delete_api_user(gateway: &Gateway, principal: &Principal, id: &str) -> Result<()> {
    principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    gateway.store.delete_api_user(principal.account, id)
}
