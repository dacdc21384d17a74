use super::Gateway;
use crate::domain::{AuditEvent, Caller, Paging, Result};

/// One page of the caller's account's audit events, newest first; the owner and "Can manage
/// account" users only.
pub fn list_audit_events(
    gateway: &Gateway,
    caller: &Caller,
    select: Option<&str>,
    skip: Option<&str>,
) -> Result<Vec<AuditEvent>> {
    caller.principal.require_manage_account()?;
    let paging = Paging::parse(select, skip)?;
    gateway
        .store
        .list_audit_events(caller.principal.account, paging)
}
