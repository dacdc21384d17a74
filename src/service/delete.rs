use super::Gateway;
use crate::domain::{ApiUserId, Manager, Result};

pub fn delete_api_user(gateway: &Gateway, manager: &Manager, id: ApiUserId) -> Result<()> {
    gateway
        .store
        .delete_api_user(manager.principal.account, id, &manager.audit())
}
