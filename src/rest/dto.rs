//! JSON shapes of the REST adapter and their conversions to and from the core's types.

use crate::domain::{ApiUser, MAX_DESCRIPTION_CHARS, MAX_SELECT, Status};
use crate::service::ApiUserInput;
use crate::service::account_info::AccountInfo;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};
use utoipa::{IntoParams, ToSchema};

/// The document's constraints come from the core's own constants, so they cannot drift.
fn status_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Status::ALL.map(Status::as_str)))
        .build()
}

fn description_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(MAX_DESCRIPTION_CHARS))
        .description(Some("Free text that tells API users apart in lists"))
        .build()
}

fn select_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(1))
        .maximum(Some(MAX_SELECT))
        .description(Some("Page size (default the maximum)"))
        .build()
}

fn skip_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(0))
        .description(Some("How many API users to skip, in id order (default 0)"))
        .build()
}

/// `?select=&skip=`, handed to the core as text: the core owns the paging rule.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(schema_with = select_schema)]
    pub select: Option<String>,
    #[param(schema_with = skip_schema)]
    pub skip: Option<String>,
}

/// An API user as the server shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ApiUser)]
pub struct ApiUserJson {
    pub id: i32,
    #[schema(format = Email)]
    pub email: String,
    #[schema(schema_with = description_schema)]
    pub description: String,
    #[schema(schema_with = status_schema)]
    pub status: &'static str,
    pub is_tiered_rate_limited_api_user: bool,
    pub is_locked: bool,
    #[schema(format = DateTime)]
    pub created: String,
    #[schema(format = DateTime)]
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

/// The body of create and update: only the fields given count. The read-only fields are
/// accepted and dropped, so that a client may send back what it read; any other field is
/// refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ApiUserInput)]
pub struct ApiUserBody {
    /// On create only: a login of your own instead of a generated one.
    #[schema(format = Email)]
    email: Option<String>,
    #[schema(schema_with = description_schema)]
    description: Option<String>,
    #[schema(schema_with = status_schema)]
    status: Option<String>,
    is_tiered_rate_limited_api_user: Option<bool>,
    /// On create only (use the password operation later); never returned.
    #[schema(format = Password)]
    password: Option<String>,
    #[schema(format = Password)]
    confirm_password: Option<String>,
    #[serde(rename = "id")]
    #[schema(value_type = Option<i32>, read_only)]
    _id: Option<IgnoredAny>,
    #[serde(rename = "isLocked")]
    #[schema(value_type = Option<bool>, read_only)]
    _is_locked: Option<IgnoredAny>,
    #[serde(rename = "created")]
    #[schema(value_type = Option<String>, format = DateTime, read_only)]
    _created: Option<IgnoredAny>,
    #[serde(rename = "lastUsed")]
    #[schema(value_type = Option<String>, format = DateTime, read_only)]
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

/// A new password and its confirmation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = NewPassword)]
pub struct PasswordBody {
    #[schema(format = Password)]
    pub password: Option<String>,
    #[schema(format = Password)]
    pub confirm_password: Option<String>,
}

/// The caller's account: its id and named properties, every value a string.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountInfo)]
pub struct AccountInfoJson {
    pub id: i64,
    pub properties: Vec<AccountPropertyJson>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AccountProperty)]
pub struct AccountPropertyJson {
    #[schema(value_type = String, examples("ApiEndpoint"))]
    pub name: &'static str,
    /// `String`, `Int` or `Boolean`: how to read `value`.
    #[serde(rename = "type")]
    #[schema(value_type = String)]
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

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = ServerTime)]
pub struct ServerTimeJson {
    #[schema(format = DateTime)]
    pub server_time: String,
}

/// Every error: the catalogue's human text ending with its `ERROR_*` code.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorJson {
    pub message: String,
}
