//! The audit trail: the one writer of events (`PostgresStore::write_audited` calls it for every
//! audited change) and the account's list.

use super::{PostgresStore, corrupt, storage_error};
use crate::domain::{AccountId, Audit, AuditEvent, AuditFilter, Paging, Result};
use crate::storage::AuditStore;
use crate::storage::audit::{AUDIT_EVENT_COLUMNS, AuditEventRow, Event, filter_params};
use ::postgres::{Row, Transaction};

/// Writes one audit event.
pub(super) fn record_event(tx: &mut Transaction, audit: &Audit, event: &Event) -> Result<()> {
    tx.execute(
        "INSERT INTO audit_events
         (account_id, at, actor, action, target, protocol, address, changes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &event.account.0,
            &audit.at.seconds(),
            &audit.actor,
            &event.action.as_str(),
            &event.target,
            &audit.origin.channel.as_str(),
            &audit.origin.address,
            &event.changes_json()?,
        ],
    )
    .map_err(storage_error)?;
    Ok(())
}

fn audit_event_from_row(row: &Row) -> Result<AuditEvent> {
    AuditEventRow {
        id: row.get(0),
        account: row.get(1),
        at: row.get(2),
        actor: row.get(3),
        action: row.get(4),
        target: row.get(5),
        protocol: row.get(6),
        address: row.get(7),
        changes: row.get(8),
    }
    .into_event()
    .map_err(corrupt)
}

impl AuditStore for PostgresStore {
    fn list_audit_events(
        &self,
        account: AccountId,
        filter: &AuditFilter,
        paging: Paging,
    ) -> Result<Vec<AuditEvent>> {
        let (target, action) = filter_params(filter);
        self.run(|conn| {
            conn.query(
                &format!(
                    "SELECT {AUDIT_EVENT_COLUMNS} FROM audit_events WHERE account_id = $1
                     AND ($2::text IS NULL OR target = $2::text)
                     AND ($3::text IS NULL OR action = $3::text)
                     ORDER BY id DESC LIMIT $4 OFFSET $5"
                ),
                &[
                    &account.0,
                    &target,
                    &action,
                    &i64::from(paging.select),
                    &i64::from(paging.skip),
                ],
            )
            .map_err(storage_error)?
            .iter()
            .map(audit_event_from_row)
            .collect()
        })
    }
}
