//! The REST handlers. Each one's `#[utoipa::path]` and route attributes are both its
//! registration and its entry in the OpenAPI document; `openapi.rs` adds the catalogue's errors.

use super::dto::{
    AccountInfoJson, ApiUserJson, AuditEventJson, CreateApiUserBody, ListQuery, PasswordBody,
    ServerTimeJson, UpdateApiUserBody,
};
use super::error::error_response;
use super::json_body::{JsonLimits, parse_json};
use crate::domain::{ApiUserId, AuditFilter, Caller, Channel, Error, Result};
use crate::http::{MediaType, basic_credentials, call_as, label_request, path_id, read_body};
use crate::service::{
    self, ApiUserInput, Gateway, Operation, account_info::account_info,
    audit_events::list_audit_events, create::create_api_user, delete::delete_api_user,
    get::get_api_user, list::list_api_users, set_password::set_api_user_password,
    unlock::unlock_api_user, update::update_api_user,
};
use actix_web::http::header::LOCATION;
use actix_web::web::{Bytes, Data, Payload, Query};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put};

/// Labels the request for the log, runs `work` as the caller and renders the outcome.
async fn handle<T, F>(
    request: &HttpRequest,
    operation: Operation,
    gateway: Data<Gateway>,
    work: F,
    render: impl FnOnce(T) -> HttpResponse,
) -> HttpResponse
where
    T: Send + 'static,
    F: FnOnce(&Gateway, &Caller) -> Result<T> + Send + 'static,
{
    label_request(request, Channel::Rest, Some(operation));
    match call_as(
        request,
        gateway,
        operation,
        basic_credentials(request),
        work,
    )
    .await
    {
        Ok(value) => render(value),
        Err(error) => error_response(&error),
    }
}

/// Reads the body first, as the SOAP adapter does: an oversized or trickling body is refused
/// before any bcrypt verification is spent on its credentials.
async fn read_body_or_refuse(
    request: &HttpRequest,
    operation: Operation,
    payload: Payload,
) -> Result<Bytes, HttpResponse> {
    label_request(request, Channel::Rest, Some(operation));
    read_body(request, payload)
        .await
        .map_err(|error| error_response(&error))
}

/// The app's JSON limits, or the error that says they are not configured.
fn json_limits(request: &HttpRequest) -> Result<JsonLimits> {
    request
        .app_data::<JsonLimits>()
        .copied()
        .ok_or_else(|| Error::unknown("no JsonLimits configured"))
}

/// The caller's account and its properties.
#[utoipa::path(
    tag = "account",
    operation_id = "getAccountInfo",
    responses((status = 200, description = "The caller's account", body = AccountInfoJson)),
    security(("basic" = [])),
)]
#[get("/v2/account-info")]
pub async fn get_account_info(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    handle(
        &request,
        Operation::GetCurrentAccountInfo,
        gateway,
        account_info,
        |info| HttpResponse::Ok().json(AccountInfoJson::from(info)),
    )
    .await
}

/// The server's clock in UTC.
#[utoipa::path(
    tag = "account",
    operation_id = "getServerTime",
    responses((status = 200, description = "The server's time", body = ServerTimeJson)),
    security(("basic" = [])),
)]
#[get("/v2/server-time")]
pub async fn get_server_time(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    handle(
        &request,
        Operation::GetServerTime,
        gateway,
        |_, caller| Ok(service::server_time::server_time(caller)),
        |time| {
            HttpResponse::Ok().json(ServerTimeJson {
                server_time: time.to_string(),
            })
        },
    )
    .await
}

/// The paging query, parsed as text; the core checks its values.
fn list_query(request: &HttpRequest) -> Result<ListQuery> {
    Query::<ListQuery>::from_query(request.query_string())
        .map(Query::into_inner)
        .map_err(|e| Error::MalformedRequest(e.to_string()))
}

/// A page of the account's API users, in id order.
#[utoipa::path(
    tag = "api-users",
    operation_id = "listApiUsers",
    params(ListQuery),
    responses((status = 200, description = "A page of API users", body = Vec<ApiUserJson>)),
    security(("basic" = [])),
)]
#[get("/v2/api-users")]
pub async fn list(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let query = list_query(&request);
    handle(
        &request,
        Operation::GetApiUsers,
        gateway,
        move |gateway, caller| {
            let query = query?;
            let manager = caller.manager()?;
            list_api_users(gateway, &manager, query.paging()?)
        },
        |users| {
            HttpResponse::Ok().json(users.into_iter().map(ApiUserJson::from).collect::<Vec<_>>())
        },
    )
    .await
}

/// A page of the account's audit trail, newest first.
#[utoipa::path(
    tag = "audit",
    operation_id = "listAuditEvents",
    params(ListQuery),
    responses((status = 200, description = "A page of audit events", body = Vec<AuditEventJson>)),
    security(("basic" = [])),
)]
#[get("/v2/audit-events")]
pub async fn audit_events(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let query = list_query(&request);
    handle(
        &request,
        Operation::GetAuditEvents,
        gateway,
        move |gateway, caller| {
            let query = query?;
            let manager = caller.manager()?;
            list_audit_events(gateway, &manager, &AuditFilter::default(), query.paging()?)
        },
        |events| {
            HttpResponse::Ok().json(
                events
                    .into_iter()
                    .map(AuditEventJson::from)
                    .collect::<Vec<_>>(),
            )
        },
    )
    .await
}

/// One API user.
#[utoipa::path(
    tag = "api-users",
    operation_id = "getApiUser",
    params(("id" = i32, Path, description = "The API user's id")),
    responses((status = 200, description = "The API user", body = ApiUserJson)),
    security(("basic" = [])),
)]
#[get("/v2/api-users/{id}")]
pub async fn get(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let id = path_id(&request);
    handle(
        &request,
        Operation::GetApiUserById,
        gateway,
        move |gateway, caller| get_api_user(gateway, &caller.manager()?, ApiUserId::parse(&id)?),
        |user| HttpResponse::Ok().json(ApiUserJson::from(user)),
    )
    .await
}

/// Creates an API user; its login is generated unless `email` is given.
#[utoipa::path(
    tag = "api-users",
    operation_id = "createApiUser",
    request_body(content = CreateApiUserBody, content_type = "application/json"),
    responses((
        status = 201,
        description = "Created",
        body = ApiUserJson,
        headers(("Location" = String, description = "The new API user's URL")),
    )),
    security(("basic" = [])),
)]
#[post("/v2/api-users")]
pub async fn create(
    request: HttpRequest,
    gateway: Data<Gateway>,
    payload: Payload,
) -> HttpResponse {
    let body = match read_body_or_refuse(&request, Operation::CreateApiUser, payload).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let media_type = MediaType::of(&request);
    let limits = json_limits(&request);
    handle(
        &request,
        Operation::CreateApiUser,
        gateway,
        move |gateway, caller| {
            let input: CreateApiUserBody = parse_json(&media_type, &body, &limits?)?;
            let input: ApiUserInput = input.try_into()?;
            create_api_user(gateway, &caller.manager()?, input.try_into()?)
        },
        |user| {
            HttpResponse::Created()
                .insert_header((LOCATION, format!("/v2/api-users/{}", user.id.0)))
                .json(ApiUserJson::from(user))
        },
    )
    .await
}

/// Changes the fields given: description, status, rate-limit scheme.
#[utoipa::path(
    tag = "api-users",
    operation_id = "updateApiUser",
    params(("id" = i32, Path, description = "The API user's id")),
    request_body(content = UpdateApiUserBody, content_type = "application/json"),
    responses((status = 200, description = "The API user as stored", body = ApiUserJson)),
    security(("basic" = [])),
)]
#[put("/v2/api-users/{id}")]
pub async fn update(
    request: HttpRequest,
    gateway: Data<Gateway>,
    payload: Payload,
) -> HttpResponse {
    let body = match read_body_or_refuse(&request, Operation::UpdateApiUser, payload).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let media_type = MediaType::of(&request);
    let limits = json_limits(&request);
    let id = path_id(&request);
    handle(
        &request,
        Operation::UpdateApiUser,
        gateway,
        move |gateway, caller| {
            let input: UpdateApiUserBody = parse_json(&media_type, &body, &limits?)?;
            let input: ApiUserInput = input.try_into()?;
            let manager = caller.manager()?;
            update_api_user(gateway, &manager, ApiUserId::parse(&id)?, input.try_into()?)
        },
        |user| HttpResponse::Ok().json(ApiUserJson::from(user)),
    )
    .await
}

/// Sets an API user's password.
#[utoipa::path(
    tag = "api-users",
    operation_id = "setApiUserPassword",
    params(("id" = i32, Path, description = "The API user's id")),
    request_body(content = PasswordBody, content_type = "application/json"),
    responses((status = 204, description = "The password is set")),
    security(("basic" = [])),
)]
#[put("/v2/api-users/{id}/password")]
pub async fn set_password(
    request: HttpRequest,
    gateway: Data<Gateway>,
    payload: Payload,
) -> HttpResponse {
    let body = match read_body_or_refuse(&request, Operation::SetApiUserPassword, payload).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let media_type = MediaType::of(&request);
    let limits = json_limits(&request);
    let id = path_id(&request);
    handle(
        &request,
        Operation::SetApiUserPassword,
        gateway,
        move |gateway, caller| {
            let input: PasswordBody = parse_json(&media_type, &body, &limits?)?;
            let (password, confirm_password) = input.given()?;
            set_api_user_password(
                gateway,
                &caller.manager()?,
                ApiUserId::parse(&id)?,
                password.as_deref(),
                confirm_password.as_deref(),
            )
        },
        |()| HttpResponse::NoContent().finish(),
    )
    .await
}

/// Clears the lock set by too many failed logins.
#[utoipa::path(
    tag = "api-users",
    operation_id = "unlockApiUser",
    params(("id" = i32, Path, description = "The API user's id")),
    responses((status = 204, description = "The API user is unlocked")),
    security(("basic" = [])),
)]
#[post("/v2/api-users/{id}/unlock")]
pub async fn unlock(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let id = path_id(&request);
    handle(
        &request,
        Operation::UnlockApiUser,
        gateway,
        move |gateway, caller| unlock_api_user(gateway, &caller.manager()?, ApiUserId::parse(&id)?),
        |()| HttpResponse::NoContent().finish(),
    )
    .await
}

/// Deletes an API user.
#[utoipa::path(
    tag = "api-users",
    operation_id = "deleteApiUser",
    params(("id" = i32, Path, description = "The API user's id")),
    responses((status = 204, description = "Deleted")),
    security(("basic" = [])),
)]
#[delete("/v2/api-users/{id}")]
pub async fn delete(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    let id = path_id(&request);
    handle(
        &request,
        Operation::DeleteApiUser,
        gateway,
        move |gateway, caller| delete_api_user(gateway, &caller.manager()?, ApiUserId::parse(&id)?),
        |()| HttpResponse::NoContent().finish(),
    )
    .await
}
