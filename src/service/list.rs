use super::Gateway;
use crate::domain::{ApiUser, Manager, Paging, Result};

/// One page of the caller's account's API users, ordered by id.
pub fn list_api_users(
    gateway: &Gateway,
    manager: &Manager,
    paging: Paging,
) -> Result<Vec<ApiUser>> {
    gateway
        .store
        .list_api_users(manager.principal.account, paging)
}
