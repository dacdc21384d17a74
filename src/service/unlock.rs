use super::Gateway;
use crate::domain::{ApiUserId, Principal, Result};

/// Clears the lock that too many wrong passwords set.
pub fn unlock_api_user(gateway: &Gateway, principal: &Principal, id: &str) -> Result<()> {
    principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    gateway.store.unlock_api_user(principal.account, id)
}
