//! The audit trail: the one writer of events (`SqliteStore::write_audited` calls it for every
//! audited change) and the account's list.

use super::{SqliteStore, cached_rows, corrupt, storage_error};
use crate::domain::audit::Change;
use crate::domain::{
    AccountId, Audit, AuditAction, AuditEvent, Channel, Error, Origin, Paging, Result, Timestamp,
};
use crate::storage::AuditStore;
use rusqlite::{Row, Transaction, params};

/// What a change records beyond its `Audit`: the account, the action, the login it was done
/// to, and the fields it set (in order, never a password or a hash).
pub(super) struct Event {
    pub account: AccountId,
    pub action: AuditAction,
    pub target: String,
    pub changes: Vec<Change>,
}

impl Event {
    /// An event that records no fields.
    pub fn new(account: AccountId, action: AuditAction, target: &str) -> Event {
        Event {
            account,
            action,
            target: target.to_owned(),
            changes: Vec::new(),
        }
    }

    pub fn with_changes(self, changes: Vec<Change>) -> Event {
        Event { changes, ..self }
    }
}

/// Writes one audit event; `changes` are kept in order as `[[field, value], …]`.
pub(super) fn record_event(tx: &Transaction, audit: &Audit, event: &Event) -> Result<()> {
    let changes = serde_json::to_string(&event.changes).map_err(Error::unknown)?;
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
            changes
        ],
    )
    .map_err(storage_error)?;
    Ok(())
}

fn audit_event_from_row(row: &Row) -> rusqlite::Result<AuditEvent> {
    let action: String = row.get(4)?;
    let channel: String = row.get(6)?;
    let changes: String = row.get(8)?;
    let unreadable = |what: &str| corrupt(Error::Unknown(format!("unreadable audit {what}")));
    Ok(AuditEvent {
        id: row.get(0)?,
        account: AccountId(row.get(1)?),
        at: Timestamp(row.get(2)?),
        actor: row.get(3)?,
        action: AuditAction::parse(&action).ok_or_else(|| unreadable("action"))?,
        target: row.get(5)?,
        origin: Origin {
            channel: Channel::parse(&channel).ok_or_else(|| unreadable("protocol"))?,
            address: row.get(7)?,
        },
        changes: serde_json::from_str(&changes).map_err(|_| unreadable("changes"))?,
    })
}

impl AuditStore for SqliteStore {
    fn list_audit_events(&self, account: AccountId, paging: Paging) -> Result<Vec<AuditEvent>> {
        self.read(|conn| {
            cached_rows(
                conn,
                "SELECT id, account_id, at, actor, action, target, protocol, address, changes
                 FROM audit_events WHERE account_id = ?1
                 ORDER BY id DESC LIMIT ?2 OFFSET ?3",
                params![account.0, paging.select, paging.skip],
                audit_event_from_row,
            )
        })
    }
}
