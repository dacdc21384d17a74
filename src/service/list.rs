use super::Gateway;
use crate::domain::{ApiUser, Caller, Paging, Result};

/// One page of the caller's account's API users, ordered by id.
pub fn list_api_users(
    gateway: &Gateway,
    caller: &Caller,
    select: Option<&str>,
    skip: Option<&str>,
) -> Result<Vec<ApiUser>> {
    caller.principal.require_manage_account()?;
    let paging = Paging::parse(select, skip)?;
    gateway
        .store
        .list_api_users(caller.principal.account, paging)
}
