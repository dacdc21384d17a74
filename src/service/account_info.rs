use super::Gateway;
use crate::domain::{AccountId, Caller, Result, Role, Timestamp};

/// Account info in dotdigital's shape: an id and typed name/value properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub id: AccountId,
    pub properties: Vec<AccountProperty>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountProperty {
    pub name: &'static str,
    pub kind: PropertyKind,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyKind {
    String,
    Int,
}

impl PropertyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyKind::String => "String",
            PropertyKind::Int => "Int",
        }
    }
}

/// Any authenticated principal may read its own account's info.
pub fn account_info(gateway: &Gateway, caller: &Caller) -> Result<AccountInfo> {
    let user = match caller.principal.role {
        Role::ApiUser(id) => Some(id),
        Role::Owner | Role::AccountUser { .. } => None,
    };
    let (account, calls) =
        gateway
            .store
            .account_with_calls(caller.principal.account, user, Timestamp::now())?;
    let limit = gateway.settings.protection.flat_rate_limit_per_hour;
    let text = |name, value: &str| AccountProperty {
        name,
        kind: PropertyKind::String,
        value: value.to_owned(),
    };
    let int = |name, value: u32| AccountProperty {
        name,
        kind: PropertyKind::Int,
        value: value.to_string(),
    };
    Ok(AccountInfo {
        id: account.id,
        properties: vec![
            text("Name", &account.name),
            text("MainEmail", account.main_email.as_str()),
            text("APILocale", &account.locale),
            text("TimeZoneIana", &account.time_zone),
            text("ApiEndpoint", &gateway.settings.public_url),
            int("ApiCallsInLastHour", calls),
            int("ApiCallsRemaining", limit.saturating_sub(calls)),
        ],
    })
}
