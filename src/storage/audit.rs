//! The audit trail as stored: written by the changes themselves (see `Store`), read here.

use crate::domain::{AccountId, AuditEvent, Paging, Result};

pub trait AuditStore: Send + Sync {
    /// An account's audit events, newest first.
    fn list_audit_events(&self, account: AccountId, paging: Paging) -> Result<Vec<AuditEvent>>;
}
