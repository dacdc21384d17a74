//! The audit trail: who changed which user, when, through which channel, from where, and what
//! changed (never a password or a hash).

use super::account::AccountId;
use super::api_user::{ApiUserChanges, NewApiUser};
use super::error::{Error, Result};
use super::login::Login;
use super::time::Timestamp;

/// The way a change reached the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Rest,
    Soap,
    Cli,
    Web,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Rest, Channel::Soap, Channel::Cli, Channel::Web];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Rest => "REST",
            Channel::Soap => "SOAP",
            Channel::Cli => "CLI",
            Channel::Web => "Web",
        }
    }

    pub fn parse(raw: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == raw)
    }
}

/// Where a call came from: its channel and the client's address (none for the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub channel: Channel,
    pub address: Option<String>,
}

impl Origin {
    pub fn cli() -> Origin {
        Origin {
            channel: Channel::Cli,
            address: None,
        }
    }
}

/// The actor recorded for changes the gateway makes itself (a lockout).
pub const GATEWAY_ACTOR: &str = "dualgate";
/// The actor recorded for changes made with the command line.
pub const CLI_ACTOR: &str = "cli";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    ApiUserCreated,
    ApiUserUpdated,
    ApiUserPasswordSet,
    ApiUserLocked,
    ApiUserUnlocked,
    ApiUserDeleted,
    AccountCreated,
    AccountUserAdded,
    AccountUserUpdated,
    AccountUserPasswordSet,
    AccountUserLocked,
    AccountUserUnlocked,
    AccountUserRemoved,
}

impl AuditAction {
    pub const ALL: [AuditAction; 13] = [
        AuditAction::ApiUserCreated,
        AuditAction::ApiUserUpdated,
        AuditAction::ApiUserPasswordSet,
        AuditAction::ApiUserLocked,
        AuditAction::ApiUserUnlocked,
        AuditAction::ApiUserDeleted,
        AuditAction::AccountCreated,
        AuditAction::AccountUserAdded,
        AuditAction::AccountUserUpdated,
        AuditAction::AccountUserPasswordSet,
        AuditAction::AccountUserLocked,
        AuditAction::AccountUserUnlocked,
        AuditAction::AccountUserRemoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ApiUserCreated => "ApiUserCreated",
            AuditAction::ApiUserUpdated => "ApiUserUpdated",
            AuditAction::ApiUserPasswordSet => "ApiUserPasswordSet",
            AuditAction::ApiUserLocked => "ApiUserLocked",
            AuditAction::ApiUserUnlocked => "ApiUserUnlocked",
            AuditAction::ApiUserDeleted => "ApiUserDeleted",
            AuditAction::AccountCreated => "AccountCreated",
            AuditAction::AccountUserAdded => "AccountUserAdded",
            AuditAction::AccountUserUpdated => "AccountUserUpdated",
            AuditAction::AccountUserPasswordSet => "AccountUserPasswordSet",
            AuditAction::AccountUserLocked => "AccountUserLocked",
            AuditAction::AccountUserUnlocked => "AccountUserUnlocked",
            AuditAction::AccountUserRemoved => "AccountUserRemoved",
        }
    }

    pub fn parse(raw: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// Who makes a change, from where and when: what a store write records beside the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub actor: String,
    pub origin: Origin,
    pub at: Timestamp,
}

/// A changed field and its new value, named as the REST API names it.
pub type Change = (&'static str, String);

/// The fields a create sets (the password is never recorded).
pub fn created_fields(new: &NewApiUser) -> Vec<Change> {
    vec![
        ("email", new.login.to_string()),
        ("description", new.description.as_str().to_owned()),
        ("status", new.status.as_str().to_owned()),
        (
            "isTieredRateLimitedApiUser",
            new.tiered_rate_limit.to_string(),
        ),
    ]
}

/// The fields an update changes.
pub fn changed_fields(changes: &ApiUserChanges) -> Vec<Change> {
    let mut fields = Vec::new();
    if let Some(description) = &changes.description {
        fields.push(("description", description.as_str().to_owned()));
    }
    if let Some(status) = changes.status {
        fields.push(("status", status.as_str().to_owned()));
    }
    if let Some(tiered) = changes.tiered_rate_limit {
        fields.push(("isTieredRateLimitedApiUser", tiered.to_string()));
    }
    fields
}

/// One recorded event, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub account: AccountId,
    pub at: Timestamp,
    pub actor: String,
    pub action: AuditAction,
    pub target: String,
    pub origin: Origin,
    pub changes: Vec<(String, String)>,
}

/// A filter's value as typed, `None` when left empty.
fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|raw| !raw.is_empty())
}

/// Which events a reading of the trail keeps: those done to `target` (a login as recorded)
/// and of `action`; `None` keeps every one. The default keeps the whole trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub target: Option<Login>,
    pub action: Option<AuditAction>,
}

impl AuditFilter {
    /// Parses the filter as it arrives on the wire: an empty value filters nothing; a target
    /// is a login (`ParameterInvalid("target")` if not), an action one of `AuditAction`'s
    /// names (`ParameterInvalid("action")` if not).
    pub fn parse(target: Option<&str>, action: Option<&str>) -> Result<AuditFilter> {
        let action = match given(action) {
            None => None,
            Some(raw) => Some(AuditAction::parse(raw).ok_or(Error::ParameterInvalid("action"))?),
        };
        Ok(AuditFilter {
            target: given(target)
                .map(|raw| Login::parse(raw, "target"))
                .transpose()?,
            action,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_ignores_empty_values_and_refuses_an_unknown_action() {
        assert_eq!(
            AuditFilter::parse(Some(" "), Some("")),
            Ok(AuditFilter::default())
        );
        assert_eq!(
            AuditFilter::parse(Some(" A@x.example "), Some("ApiUserCreated")),
            Ok(AuditFilter {
                target: Some(Login::parse("a@x.example", "target").unwrap()),
                action: Some(AuditAction::ApiUserCreated),
            })
        );
        assert_eq!(
            AuditFilter::parse(None, Some("PasswordShown")),
            Err(Error::ParameterInvalid("action"))
        );
        assert_eq!(
            AuditFilter::parse(Some("shop"), None),
            Err(Error::ParameterInvalid("target"))
        );
    }

    #[test]
    fn names_read_back_as_written() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
        assert_eq!(AuditAction::parse("PasswordShown"), None);
    }
}
