//! The audit trail as stored: written by the changes themselves (see `Store`), read here. The
//! event a backend writes and the columns it reads back are shared by the backends.

use crate::domain::audit::{Change, changed_fields, created_fields};
use crate::domain::{
    AccountId, ApiUser, ApiUserChanges, AuditAction, AuditEvent, AuditFilter, Channel, Error,
    Login, NewAccount, NewAccountUser, NewApiUser, Origin, Paging, Result, Timestamp,
};

pub trait AuditStore: Send + Sync {
    /// An account's audit events that `filter` keeps, newest first.
    fn list_audit_events(
        &self,
        account: AccountId,
        filter: &AuditFilter,
        paging: Paging,
    ) -> Result<Vec<AuditEvent>>;
}

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

    /// An account user's "Can manage account" set to `can_manage_account`.
    pub fn with_can_manage_account(self, can_manage_account: bool) -> Event {
        self.with_changes(vec![("canManageAccount", can_manage_account.to_string())])
    }

    pub fn account_created(account: AccountId, new: &NewAccount) -> Event {
        Event::new(
            account,
            AuditAction::AccountCreated,
            new.owner_login.as_str(),
        )
        .with_changes(vec![("name", new.name.clone())])
    }

    pub fn account_user_added(new: &NewAccountUser) -> Event {
        Event::new(
            new.account,
            AuditAction::AccountUserAdded,
            new.login.as_str(),
        )
        .with_changes(vec![(
            "canManageAccount",
            new.can_manage_account.to_string(),
        )])
    }

    pub fn api_user_created(new: &NewApiUser) -> Event {
        Event::new(new.account, AuditAction::ApiUserCreated, new.login.as_str())
            .with_changes(created_fields(new))
    }

    pub fn api_user_updated(user: &ApiUser, changes: &ApiUserChanges) -> Event {
        Event::new(
            user.account,
            AuditAction::ApiUserUpdated,
            user.login.as_str(),
        )
        .with_changes(changed_fields(changes))
    }

    /// The changes as stored: `[[field, value], …]`, in order.
    pub fn changes_json(&self) -> Result<String> {
        serde_json::to_string(&self.changes).map_err(Error::unknown)
    }
}

/// Passes on the value of an audited change after `record` has written its event in the
/// change's transaction; no event (`None`) only where nothing changed.
pub(super) fn recorded<T, E: Into<Option<Event>>>(
    (value, event): (T, E),
    record: impl FnOnce(&Event) -> Result<()>,
) -> Result<T> {
    if let Some(event) = event.into() {
        record(&event)?;
    }
    Ok(value)
}

/// The audit columns, `id, account_id, at, actor, action, target, protocol, address, changes`.
pub(super) const AUDIT_EVENT_COLUMNS: &str =
    "id, account_id, at, actor, action, target, protocol, address, changes";

/// The filter's values as query parameters (`None`: any), shared by the backends' queries.
pub(super) fn filter_params(filter: &AuditFilter) -> (Option<&str>, Option<&'static str>) {
    (
        filter.target.as_ref().map(Login::as_str),
        filter.action.map(AuditAction::as_str),
    )
}

/// An audit event's row as stored, before its names are read back.
pub(super) struct AuditEventRow {
    pub id: i64,
    pub account: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub protocol: String,
    pub address: Option<String>,
    pub changes: String,
}

impl AuditEventRow {
    pub fn into_event(self) -> Result<AuditEvent> {
        let unreadable = |what: &str| Error::Unknown(format!("unreadable audit {what}"));
        Ok(AuditEvent {
            id: self.id,
            account: AccountId(self.account),
            at: Timestamp(self.at),
            actor: self.actor,
            action: AuditAction::parse(&self.action).ok_or_else(|| unreadable("action"))?,
            target: self.target,
            origin: Origin {
                channel: Channel::parse(&self.protocol).ok_or_else(|| unreadable("protocol"))?,
                address: self.address,
            },
            changes: serde_json::from_str(&self.changes).map_err(|_| unreadable("changes"))?,
        })
    }
}
