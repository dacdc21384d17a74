//! The OpenAPI document, collected from the very handlers the server registers (their
//! `#[utoipa::path]` and route attributes), so that routes and document cannot drift; the error
//! responses come from the one catalogue.

use super::dto::{ErrorJson, STATUS_SCHEMA_NAME, status_component};
use crate::domain::Error;
use crate::http::status_of;
use actix_web::App;
use std::collections::BTreeMap;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{OpenApi as _, PartialSchema, ToSchema};
use utoipa_actix_web::AppExt;

/// The name of the HTTP Basic scheme in the document.
pub const BASIC: &str = "basic";

#[derive(utoipa::OpenApi)]
#[openapi(info(
    title = "dualgate",
    description = "The API users of an account, over REST. The same operations are served \
                   over SOAP at `/v2/Api.svc` (WSDL at `/v2/Api.svc?wsdl`)."
))]
struct Info;

/// The whole document: paths from `routes`, then the catalogue's errors and the security
/// scheme.
pub fn document() -> OpenApi {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(Info::openapi())
        .configure(super::routes)
        .split_for_parts();
    let components = document.components.get_or_insert_default();
    components.add_security_scheme(
        BASIC,
        SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
    );
    components
        .schemas
        .insert(ErrorJson::name().into_owned(), ErrorJson::schema());
    components
        .schemas
        .insert(STATUS_SCHEMA_NAME.to_owned(), status_component().into());
    for (path, item) in document.paths.paths.iter_mut() {
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            if operation.security.is_some() {
                add_error_responses(path, operation);
            }
        }
    }
    document
}

/// The catalogue errors an authenticated operation can answer, told by its shape: any call may
/// be malformed, unauthenticated, over its rate limit, fail inside or find the storage
/// unavailable; a body may be too large or of the wrong type; the API-user operations need the
/// manage permission; an `{id}` may name no API user; a create may find its login taken. The
/// audit trail needs the manage permission too.
fn add_error_responses(path: &str, operation: &mut Operation) {
    let mut errors = vec![
        Error::MalformedRequest(String::new()),
        Error::ParameterInvalid(""),
        Error::InvalidLogin,
        Error::ApiUsageExceeded {
            limit: 0,
            retry_after_seconds: 0,
        },
        Error::Unknown(String::new()),
        Error::Unavailable(String::new()),
    ];
    if operation.request_body.is_some() {
        errors.extend([
            Error::RequestTooLarge(0),
            Error::ContentTypeNotSupported(String::new()),
            Error::WeakPassword(""),
            Error::PasswordsDoNotMatch,
        ]);
    }
    if path.starts_with("/v2/api-users") || path.starts_with("/v2/audit-events") {
        errors.push(Error::PermissionDenied);
    }
    if path.contains("{id}") {
        errors.push(Error::ApiUserNotFound);
    }
    if operation.operation_id.as_deref() == Some("createApiUser") {
        errors.push(Error::ApiUserExists);
    }
    let mut by_status: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    for error in &errors {
        by_status
            .entry(status_of(error).as_u16())
            .or_default()
            .push(error.code());
    }
    for (status, codes) in by_status {
        operation
            .responses
            .responses
            .insert(status.to_string(), error_response(status, &codes));
    }
}

fn error_response(status: u16, codes: &[&str]) -> RefOr<Response> {
    let mut response = ResponseBuilder::new()
        .description(codes.join(", "))
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name(ErrorJson::name()))),
        );
    let header = match status {
        401 => Some(("WWW-Authenticate", "The Basic challenge")),
        429 => Some(("Retry-After", "Seconds until a call is allowed again")),
        _ => None,
    };
    if let Some((name, description)) = header {
        let mut header = Header::new(String::schema());
        header.description = Some(description.to_owned());
        response = response.header(name, header);
    }
    RefOr::T(response.build())
}
