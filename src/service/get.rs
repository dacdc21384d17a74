use super::Gateway;
use crate::domain::{ApiUser, ApiUserId, Manager, Result};

pub fn get_api_user(gateway: &Gateway, manager: &Manager, id: ApiUserId) -> Result<ApiUser> {
    gateway.store.api_user(manager.principal.account, id)
}
