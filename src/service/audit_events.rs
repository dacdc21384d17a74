use super::Gateway;
use crate::domain::{AuditEvent, AuditFilter, Manager, Paging, Result};

/// One page of the caller's account's audit events that `filter` keeps, newest first.
pub fn list_audit_events(
    gateway: &Gateway,
    manager: &Manager,
    filter: &AuditFilter,
    paging: Paging,
) -> Result<Vec<AuditEvent>> {
    gateway
        .store
        .list_audit_events(manager.principal.account, filter, paging)
}
