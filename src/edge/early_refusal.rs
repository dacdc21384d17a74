//! Refusals decided from a request's head alone, before any route runs, rendered as the route
//! family of the path renders errors.
//!
//! The one such refusal is a declared body over the limit, answered without reading the body.
//! With `Expect: 100-continue`, actix-http asks the server's expect service before it writes
//! `100 Continue`; actix-web's `HttpServer` offers no way to set that service, which is why
//! startup builds the HTTP service itself. Requests without `Expect` meet the same rule in
//! the app's middleware, so that they are logged like any other.

use super::route_family::render;
use crate::domain::Error;
use crate::http::BodyLimits;
use actix_http::Request;
use actix_service::{ServiceFactory, fn_service};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{RequestHead, Response, ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::middleware::Next;

/// `ERROR_REQUEST_TOO_LARGE` when the declared `Content-Length` is over the limit. A length
/// that is not a number is left to actix-http, which refuses it while reading the head.
fn declared_too_large(head: &RequestHead, limits: &BodyLimits) -> Option<Error> {
    let declared: u64 = head
        .headers()
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let limit = u64::try_from(limits.max_bytes).unwrap_or(u64::MAX);
    (declared > limit).then_some(Error::RequestTooLarge(limits.max_bytes))
}

/// The app's middleware for requests without `Expect: 100-continue`.
pub async fn refuse_declared_oversize(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refusal = request
        .app_data::<BodyLimits>()
        .and_then(|limits| declared_too_large(request.head(), limits));
    match refusal {
        Some(error) => {
            let response = render(request.head(), error);
            Ok(request.into_response(response))
        }
        None => Ok(next.call(request).await?.map_into_boxed_body()),
    }
}

/// The expect service: `100 Continue` only for a body the server would read.
pub fn expect_continue(
    limits: BodyLimits,
) -> impl ServiceFactory<
    Request,
    Config = (),
    Response = Request,
    Error = Response<BoxBody>,
    InitError = (),
> + Clone {
    fn_service(move |request: Request| {
        let refusal = declared_too_large(request.head(), &limits).map(|error| {
            tracing::info!(
                method = %request.method(),
                path = request.path(),
                status = 413,
                "request refused before 100 Continue"
            );
            Response::from(render(request.head(), error))
        });
        async move {
            match refusal {
                Some(response) => Err(response),
                None => Ok(request),
            }
        }
    })
}
