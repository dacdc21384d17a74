//! JSON shapes of the REST adapter and their conversions to and from the core's types.

use super::field::Field;
use crate::domain::text::storable_text_pattern;
use crate::domain::{
    ApiUser, AuditAction, AuditEvent, Channel, MAX_DESCRIPTION_CHARS, MAX_SELECT, Status,
};
use crate::domain::{Error, Paging, Result};
use crate::service::ApiUserInput;
use crate::service::account_info::AccountInfo;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::schema::{
    KnownFormat, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, ToSchema};

/// The document's constraints come from the core's own rules, so they cannot drift.
/// The status values are one component, `ApiUserStatus`, that the fields refer to.
pub const STATUS_SCHEMA_NAME: &str = "ApiUserStatus";

pub fn status_component() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Status::ALL.map(Status::as_str)))
        .build()
}

fn status_schema() -> Ref {
    Ref::from_schema_name(STATUS_SCHEMA_NAME)
}

fn description_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(MAX_DESCRIPTION_CHARS))
        .pattern(Some(storable_text_pattern()))
        .description(Some("Free text that tells API users apart in lists"))
        .build()
}

/// In a request, `null` counts as not given.
fn nullable(schema: impl Into<RefOr<Schema>>) -> Schema {
    Schema::OneOf(
        OneOfBuilder::new()
            .item(schema)
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .build(),
    )
}

fn input_status_schema() -> Schema {
    nullable(status_schema())
}

fn input_description_schema() -> Schema {
    nullable(description_schema())
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

/// `?select=&skip=` (of API users or audit events), handed to the core as text: the core
/// owns the paging rule.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(schema_with = select_schema)]
    pub select: Option<String>,
    #[param(schema_with = skip_schema)]
    pub skip: Option<String>,
}

impl ListQuery {
    pub fn paging(&self) -> Result<Paging> {
        Paging::parse(self.select.as_deref(), self.skip.as_deref())
    }
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

/// The body of create. The password is required (when it is missing the core answers
/// `ERROR_PARAMETER_INVALID`, as on SOAP, so the type keeps it optional). The read-only
/// fields are accepted and dropped, so that a client may send back what it read; any other
/// field is refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = NewApiUser)]
pub struct CreateApiUserBody {
    /// A login of your own in the API-user domain instead of a generated one.
    #[schema(value_type = Option<String>, format = Email)]
    #[serde(default)]
    email: Field<String>,
    #[schema(schema_with = input_description_schema)]
    #[serde(default)]
    description: Field<String>,
    #[schema(schema_with = input_status_schema)]
    #[serde(default)]
    status: Field<String>,
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    is_tiered_rate_limited_api_user: Field<bool>,
    /// Never returned or logged.
    #[schema(value_type = String, format = Password, required = true)]
    #[serde(default)]
    password: Field<String>,
    /// Must equal `password` when given.
    #[schema(value_type = Option<String>, format = Password)]
    #[serde(default)]
    confirm_password: Field<String>,
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

/// The body of update: only the fields given change. The login never changes (it may be sent
/// back unchanged); a password is refused with `ERROR_PARAMETER_INVALID` (it has its own
/// operation), so the document does not offer one. Read-only fields are accepted and dropped.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = ApiUserChanges)]
pub struct UpdateApiUserBody {
    #[schema(value_type = Option<String>, format = Email, read_only)]
    #[serde(default)]
    email: Field<String>,
    #[schema(schema_with = input_description_schema)]
    #[serde(default)]
    description: Field<String>,
    #[schema(schema_with = input_status_schema)]
    #[serde(default)]
    status: Field<String>,
    #[schema(value_type = Option<bool>)]
    #[serde(default)]
    is_tiered_rate_limited_api_user: Field<bool>,
    #[schema(ignore)]
    #[serde(default)]
    password: Field<String>,
    #[schema(ignore)]
    #[serde(default)]
    confirm_password: Field<String>,
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

/// Both bodies become the core's one input type, which validates them; a field of the wrong
/// JSON type is refused here, named as the contract names it.
macro_rules! into_api_user_input {
    ($body:ty) => {
        impl TryFrom<$body> for ApiUserInput {
            type Error = Error;

            fn try_from(body: $body) -> Result<Self> {
                Ok(ApiUserInput {
                    email: body.email.value("email")?,
                    description: body.description.value("description")?,
                    status: body.status.value("status")?,
                    tiered_rate_limit: body
                        .is_tiered_rate_limited_api_user
                        .value("isTieredRateLimitedApiUser")?,
                    password: body.password.value("password")?,
                    confirm_password: body.confirm_password.value("confirmPassword")?,
                })
            }
        }
    };
}
into_api_user_input!(CreateApiUserBody);
into_api_user_input!(UpdateApiUserBody);

/// A new password and its confirmation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = NewPassword)]
pub struct PasswordBody {
    /// Required (a missing one is the core's `ERROR_PARAMETER_INVALID`, as on SOAP).
    #[schema(value_type = String, format = Password, required = true)]
    #[serde(default)]
    password: Field<String>,
    #[schema(value_type = Option<String>, format = Password)]
    #[serde(default)]
    confirm_password: Field<String>,
}

impl PasswordBody {
    /// The password and its confirmation, as given.
    pub fn given(self) -> Result<(Option<String>, Option<String>)> {
        Ok((
            self.password.value("password")?,
            self.confirm_password.value("confirmPassword")?,
        ))
    }
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

/// A change to an API user or account user: who, when, through which channel, from where,
/// and what changed (never a password).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AuditEvent)]
pub struct AuditEventJson {
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    /// The login that made the change (`dualgate` for a lockout, `cli` for the command line).
    pub actor: String,
    #[schema(schema_with = audit_action_schema)]
    pub action: &'static str,
    /// The login of the user changed.
    pub target: String,
    #[schema(schema_with = channel_schema)]
    pub protocol: &'static str,
    /// The client's IP address; null for the command line.
    pub address: Option<String>,
    /// The fields changed and their new values.
    pub changes: BTreeMap<String, String>,
}

fn audit_action_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(AuditAction::ALL.map(AuditAction::as_str)))
        .build()
}

fn channel_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(Channel::ALL.map(Channel::as_str)))
        .build()
}

impl From<AuditEvent> for AuditEventJson {
    fn from(event: AuditEvent) -> Self {
        AuditEventJson {
            id: event.id,
            at: event.at.to_string(),
            actor: event.actor,
            action: event.action.as_str(),
            target: event.target,
            protocol: event.origin.channel.as_str(),
            address: event.origin.address,
            changes: event.changes.into_iter().collect(),
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
