use super::Gateway;
use crate::domain::{ApiUserId, Caller, Result};

/// Clears the lock that too many wrong passwords set.
pub fn unlock_api_user(gateway: &Gateway, caller: &Caller, id: &str) -> Result<()> {
    caller.principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    gateway
        .store
        .unlock_api_user(caller.principal.account, id, &caller.audit())
}
