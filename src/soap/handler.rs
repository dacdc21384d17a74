//! `POST /v2/Api.svc`: version from the Content-Type, envelope, operation, credentials,
//! dispatch to the core, and the response or fault in the request's SOAP version.

use super::credentials::username_token;
use super::decode::{Request, decode};
use super::encode::{Reply, response_payload};
use super::envelope::{SoapProblem, SoapVersion, read_envelope};
use super::fault::{envelope, fault};
use super::namespaces::V2;
use super::wsdl::ServedWsdl;
use super::xml_tree::XmlLimits;
use crate::domain::{ApiUserId, AuditFilter, Caller, Channel, Error, Paging, Result};
use crate::http::{
    MediaType, answering, basic_credentials, call_as, error_headers, label_document, label_request,
    label_soap_version, read_body,
};
use crate::service::{
    Gateway, Operation, account_info::account_info, audit_events::list_audit_events,
    create::create_api_user, delete::delete_api_user, get::get_api_user, list::list_api_users,
    server_time::server_time, set_password::set_api_user_password, unlock::unlock_api_user,
    update::update_api_user,
};
use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, CONTENT_TYPE, HeaderMap};
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};

const ACTION_PREFIX: &str = "http://apiconnector.com/v2/ApiService/";

fn content_type(version: SoapVersion) -> &'static str {
    match version {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    }
}

/// Labels the request as a SOAP call in `version`, its operation not known yet.
fn label_soap(request: &HttpRequest, version: SoapVersion) {
    label_request(request, Channel::Soap, None);
    label_soap_version(request, version.as_str());
}

fn envelope_response(version: SoapVersion, status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, content_type(version)))
        .body(body)
}

fn fault_response(version: SoapVersion, problem: &SoapProblem) -> HttpResponse {
    let (status, body) = fault(version, problem);
    let mut response = envelope_response(version, status, body);
    match problem {
        SoapProblem::Catalogue(error) => {
            for (name, value) in error_headers(error) {
                response.headers_mut().insert(name, value);
            }
            answering(response, error)
        }
        SoapProblem::VersionMismatch | SoapProblem::MustUnderstand { .. } => {
            answering(response, &Error::MalformedRequest(String::new()))
        }
    }
}

/// SOAP 1.1 is `text/xml`, SOAP 1.2 `application/soap+xml`; anything else is refused.
fn version_of(essence: &str) -> Result<SoapVersion> {
    match essence {
        "text/xml" => Ok(SoapVersion::V11),
        "application/soap+xml" => Ok(SoapVersion::V12),
        other => Err(Error::unsupported_content_type(other)),
    }
}

/// A catalogue error raised before routing, as a fault in the version the Content-Type names
/// (1.1 when it names none).
pub fn refusal(headers: &HeaderMap, error: Error) -> HttpResponse {
    let version = version_of(&MediaType::of_headers(headers).essence).unwrap_or(SoapVersion::V11);
    fault_response(version, &error.into())
}

/// `SOAPAction` (1.1) or `action=` (1.2) is a hint only: a mismatch is logged, never faulted.
fn log_action_mismatch(request: &HttpRequest, media_type: &MediaType, operation: Operation) {
    let hint = request
        .headers()
        .get("SOAPAction")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_matches('"').to_owned())
        .or_else(|| media_type.parameter("action").map(str::to_owned))
        .filter(|hint| !hint.is_empty());
    if let Some(hint) = hint {
        let expected = format!("{ACTION_PREFIX}{}", operation.name());
        if hint != expected {
            tracing::warn!(
                hint,
                expected,
                "SOAP action does not match the Body's operation"
            );
        }
    }
}

pub(super) fn dispatchable(element: &super::xml_tree::Element) -> Result<Operation> {
    Operation::of_api(&element.name)
        .filter(|_| element.namespace.as_deref() == Some(V2))
        .ok_or_else(|| {
            Error::MalformedRequest(format!("unknown operation {}", element.qualified_name()))
        })
}

fn execute(gateway: &Gateway, caller: &Caller, request: Request) -> Result<Reply> {
    let id = ApiUserId::parse;
    Ok(match request {
        Request::GetCurrentAccountInfo => Reply::AccountInfo(account_info(gateway, caller)?),
        Request::GetServerTime => Reply::ServerTime(server_time(caller)),
        Request::GetApiUsers { select, skip } => {
            let manager = caller.manager()?;
            let paging = Paging::parse(select.as_deref(), skip.as_deref())?;
            Reply::ApiUsers(list_api_users(gateway, &manager, paging)?)
        }
        Request::GetApiUserById { id: raw } => {
            Reply::ApiUser(get_api_user(gateway, &caller.manager()?, id(&raw)?)?)
        }
        Request::CreateApiUser { user } => Reply::ApiUser(create_api_user(
            gateway,
            &caller.manager()?,
            user.try_into()?,
        )?),
        Request::UpdateApiUser { id: raw, user } => {
            let manager = caller.manager()?;
            Reply::ApiUser(update_api_user(
                gateway,
                &manager,
                id(&raw)?,
                user.try_into()?,
            )?)
        }
        Request::SetApiUserPassword {
            id: raw,
            password,
            confirm_password,
        } => {
            set_api_user_password(
                gateway,
                &caller.manager()?,
                id(&raw)?,
                password.as_deref(),
                confirm_password.as_deref(),
            )?;
            Reply::Nothing
        }
        Request::UnlockApiUser { id: raw } => {
            unlock_api_user(gateway, &caller.manager()?, id(&raw)?)?;
            Reply::Nothing
        }
        Request::DeleteApiUser { id: raw } => {
            delete_api_user(gateway, &caller.manager()?, id(&raw)?)?;
            Reply::Nothing
        }
        Request::GetAuditEvents { select, skip } => {
            let manager = caller.manager()?;
            let paging = Paging::parse(select.as_deref(), skip.as_deref())?;
            let all = AuditFilter::default();
            Reply::AuditEvents(list_audit_events(gateway, &manager, &all, paging)?)
        }
    })
}

pub async fn soap_endpoint(
    request: HttpRequest,
    gateway: Data<Gateway>,
    payload: Payload,
) -> HttpResponse {
    let media_type = MediaType::of(&request);
    let version = match version_of(&media_type.essence) {
        Ok(version) => version,
        Err(error) => {
            label_soap(&request, SoapVersion::V11);
            return fault_response(SoapVersion::V11, &error.into());
        }
    };
    label_soap(&request, version);
    let body = match read_body(&request, payload).await {
        Ok(body) => body,
        Err(error) => return fault_response(version, &error.into()),
    };
    let limits = match request.app_data::<XmlLimits>() {
        Some(limits) => limits,
        None => {
            let error = Error::unknown("no XmlLimits configured");
            return fault_response(version, &error.into());
        }
    };
    let envelope = match read_envelope(&body, version, limits) {
        Ok(envelope) => envelope,
        Err(problem) => return fault_response(version, &problem),
    };
    let operation = match dispatchable(&envelope.operation) {
        Ok(operation) => operation,
        Err(error) => return fault_response(version, &error.into()),
    };
    label_request(&request, Channel::Soap, Some(operation));
    log_action_mismatch(&request, &media_type, operation);
    let credentials = basic_credentials(&request).or_else(|| username_token(&envelope.headers));
    let element = envelope.operation;
    let outcome = call_as(
        &request,
        gateway,
        operation,
        credentials,
        move |gateway, caller| execute(gateway, caller, decode(operation, &element)?),
    )
    .await;
    match outcome {
        Ok(reply) => envelope_response(
            version,
            StatusCode::OK,
            self::envelope(version, "", &response_payload(operation, &reply)),
        ),
        Err(error) => fault_response(version, &error.into()),
    }
}

/// `GET /v2/Api.svc?wsdl` (or `?singleWsdl`; `?wsdl=soap11` for the SOAP 1.1 port alone),
/// served without authentication.
pub async fn wsdl_or_hint(request: HttpRequest, wsdl: Data<ServedWsdl>) -> HttpResponse {
    let document = request.query_string().split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.eq_ignore_ascii_case("wsdl") && value.eq_ignore_ascii_case("soap11") {
            Some(&wsdl.soap11_only)
        } else if key.eq_ignore_ascii_case("wsdl") || key.eq_ignore_ascii_case("singlewsdl") {
            Some(&wsdl.full)
        } else {
            None
        }
    });
    label_document(
        &request,
        "WSDL",
        if document.is_some() { "wsdl" } else { "-" },
    );
    match document {
        Some(document) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/xml; charset=utf-8"))
            .body(document.clone()),
        None => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body("dualgate SOAP endpoint: POST SOAP 1.1 or 1.2 envelopes here; the WSDL is at ?wsdl\n"),
    }
}

/// Any other method on the SOAP URL.
pub async fn method_not_allowed(request: HttpRequest) -> HttpResponse {
    label_soap(&request, SoapVersion::V11);
    let error = Error::MalformedRequest(format!("method {} is not allowed here", request.method()));
    let (_, body) = fault(SoapVersion::V11, &error.clone().into());
    let response = envelope_response(SoapVersion::V11, StatusCode::METHOD_NOT_ALLOWED, body);
    let mut response = answering(response, &error);
    response.headers_mut().insert(
        ALLOW,
        actix_web::http::header::HeaderValue::from_static("GET, HEAD, POST"),
    );
    response
}
