//! Answers actix-web gives by itself without a body (405 from a page resource, 404 from the
//! documentation's static files) get the catalogue's message, as the route family renders it.
//! A bare answer is one without `Content-Type`: every handler of dualgate sets one.

use super::route_family::render;
use crate::domain::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, CONTENT_TYPE};
use actix_web::middleware::Next;

pub async fn give_bare_answers_a_body(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(request).await?.map_into_boxed_body();
    let status = response.status();
    if !status.is_client_error() || response.headers().contains_key(CONTENT_TYPE) {
        return Ok(response);
    }
    let (request, bare) = response.into_parts();
    let head = request.head();
    let error = Error::MalformedRequest(match status {
        StatusCode::METHOD_NOT_ALLOWED => format!("method {} is not allowed here", head.method),
        StatusCode::NOT_FOUND => format!("no resource at {}", head.uri.path()),
        other => format!("the request was refused ({other})"),
    });
    let mut answer = render(head, error);
    *answer.status_mut() = status;
    for allow in bare.headers().get_all(ALLOW) {
        answer.headers_mut().append(ALLOW, allow.clone());
    }
    Ok(ServiceResponse::new(request, answer))
}
