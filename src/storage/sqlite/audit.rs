//! The audit trail: the one writer of events (`SqliteStore::write_audited` calls it for every
//! audited change) and the account's list.

use super::{SqliteStore, cached_rows, corrupt, storage_error};
use crate::domain::{AccountId, Audit, AuditEvent, AuditFilter, Paging, Result};
use crate::storage::AuditStore;
use crate::storage::audit::{AUDIT_EVENT_COLUMNS, AuditEventRow, Event, filter_params};
use rusqlite::{Row, Transaction, params};

/// Writes one audit event; `changes` are kept in order as `[[field, value], …]`.
pub(super) fn record_event(tx: &Transaction, audit: &Audit, event: &Event) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_events
         (account_id, at, actor, action, target, protocol, address, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            event.account.0,
            audit.at.seconds(),
            audit.actor,
            event.action.as_str(),
            event.target,
            audit.origin.channel.as_str(),
            audit.origin.address,
            event.changes_json()?
        ],
    )
    .map_err(storage_error)?;
    Ok(())
}

fn audit_event_from_row(row: &Row) -> rusqlite::Result<AuditEvent> {
    AuditEventRow {
        id: row.get(0)?,
        account: row.get(1)?,
        at: row.get(2)?,
        actor: row.get(3)?,
        action: row.get(4)?,
        target: row.get(5)?,
        protocol: row.get(6)?,
        address: row.get(7)?,
        changes: row.get(8)?,
    }
    .into_event()
    .map_err(corrupt)
}

impl AuditStore for SqliteStore {
    fn list_audit_events(
        &self,
        account: AccountId,
        filter: &AuditFilter,
        paging: Paging,
    ) -> Result<Vec<AuditEvent>> {
        let (target, action) = filter_params(filter);
        self.read(|conn| {
            cached_rows(
                conn,
                &format!(
                    "SELECT {AUDIT_EVENT_COLUMNS} FROM audit_events WHERE account_id = ?1
                     AND (?2 IS NULL OR target = ?2) AND (?3 IS NULL OR action = ?3)
                     ORDER BY id DESC LIMIT ?4 OFFSET ?5"
                ),
                params![account.0, target, action, paging.select, paging.skip],
                audit_event_from_row,
            )
        })
    }
}
