//! JSON shapes of the REST adapter and their conversions to and from the core's types.

use crate::domain::ApiUser;
use crate::service::ApiUserInput;
use crate::service::account_info::AccountInfo;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiUserJson {
    pub id: i32,
    pub email: String,
    pub description: String,
    pub status: &'static str,
    pub is_tiered_rate_limited_api_user: bool,
    pub is_locked: bool,
    pub created: String,
    pub last_used: Option<String>,
}

impl From<ApiUser> for ApiUserJson {
    fn from(user: ApiUser) -> Self {
        ApiUserJson {
            id: user.id.0,
            email: user.login.to_string(),
            description: user.description.as_str().to_owned(),
            status: user.status.as_str(),
            is_tiered_rate_limited_api_user: user.tiered_rate_limit,
            is_locked: user.locked,
            created: user.created.to_string(),
            last_used: user.last_used.map(|t| t.to_string()),
        }
    }
}

/// The body of create and update. The read-only fields are accepted and dropped, so that a
/// client may send back what it read; any other field is refused.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiUserBody {
    email: Option<String>,
    description: Option<String>,
    status: Option<String>,
    is_tiered_rate_limited_api_user: Option<bool>,
    password: Option<String>,
    confirm_password: Option<String>,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "isLocked")]
    _is_locked: Option<IgnoredAny>,
    #[serde(rename = "created")]
    _created: Option<IgnoredAny>,
    #[serde(rename = "lastUsed")]
    _last_used: Option<IgnoredAny>,
}

impl From<ApiUserBody> for ApiUserInput {
    fn from(body: ApiUserBody) -> Self {
        ApiUserInput {
            email: body.email,
            description: body.description,
            status: body.status,
            tiered_rate_limit: body.is_tiered_rate_limited_api_user,
            password: body.password,
            confirm_password: body.confirm_password,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordBody {
    pub password: Option<String>,
    pub confirm_password: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AccountInfoJson {
    pub id: i64,
    pub properties: Vec<AccountPropertyJson>,
}

#[derive(Debug, Serialize)]
pub struct AccountPropertyJson {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: String,
}

impl From<AccountInfo> for AccountInfoJson {
    fn from(info: AccountInfo) -> Self {
        AccountInfoJson {
            id: info.id.0,
            properties: info
                .properties
                .into_iter()
                .map(|p| AccountPropertyJson {
                    name: p.name,
                    kind: p.kind.as_str(),
                    value: p.value,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerTimeJson {
    pub server_time: String,
}

#[derive(Debug, Serialize)]
pub struct ErrorJson {
    pub message: String,
}
