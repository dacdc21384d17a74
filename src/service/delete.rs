use super::Gateway;
use crate::domain::{ApiUserId, Caller, Result};

pub fn delete_api_user(gateway: &Gateway, caller: &Caller, id: &str) -> Result<()> {
    caller.principal.require_manage_account()?;
    let id = ApiUserId::parse(id)?;
    gateway
        .store
        .delete_api_user(caller.principal.account, id, &caller.audit())
}
