use super::Gateway;
use crate::domain::{AuditEvent, Manager, Paging, Result};

/// One page of the caller's account's audit events, newest first.
pub fn list_audit_events(
    gateway: &Gateway,
    manager: &Manager,
    paging: Paging,
) -> Result<Vec<AuditEvent>> {
    gateway
        .store
        .list_audit_events(manager.principal.account, paging)
}
