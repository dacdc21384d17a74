use super::Gateway;
use crate::domain::{ApiUser, Paging, Principal, Result};

/// One page of the caller's account's API users, ordered by id.
pub fn list_api_users(
    gateway: &Gateway,
    principal: &Principal,
    select: Option<&str>,
    skip: Option<&str>,
) -> Result<Vec<ApiUser>> {
    principal.require_manage_account()?;
    let paging = Paging::parse(select, skip)?;
    gateway.store.list_api_users(principal.account, paging)
}
