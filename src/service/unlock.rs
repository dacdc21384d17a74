use super::Gateway;
use crate::domain::{ApiUserId, Manager, Result};

/// Clears the lock that too many wrong passwords set.
pub fn unlock_api_user(gateway: &Gateway, manager: &Manager, id: ApiUserId) -> Result<()> {
    gateway
        .store
        .unlock_api_user(manager.principal.account, id, &manager.audit())
}
