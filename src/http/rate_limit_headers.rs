//! The rate-limit headers: on every response to an API user (`X-RateLimit-*`), and on a 429
//! (`Retry-After` too), whichever adapter answered.

use crate::domain::Error;
use crate::service::authenticate::Standing;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest};

use super::BASIC_CHALLENGE;

const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// Keeps where the caller stands, for the response's headers.
pub(super) fn remember_standing(request: &HttpRequest, standing: Standing) {
    request.extensions_mut().insert(standing);
}

fn standing_headers(standing: Standing) -> [(HeaderName, HeaderValue); 3] {
    [
        (LIMIT, standing.limit.into()),
        (REMAINING, standing.remaining.into()),
        (RESET, standing.reset_seconds.into()),
    ]
}

/// The headers an error's rendering carries on either protocol: the Basic challenge on 401,
/// the rate-limit headers and `Retry-After` on 429.
pub fn error_headers(error: &Error) -> Vec<(HeaderName, HeaderValue)> {
    match error {
        Error::InvalidLogin => vec![(WWW_AUTHENTICATE, HeaderValue::from_static(BASIC_CHALLENGE))],
        Error::ApiUsageExceeded {
            limit,
            retry_after_seconds,
        } => {
            let mut headers = standing_headers(Standing {
                limit: *limit,
                remaining: 0,
                reset_seconds: *retry_after_seconds,
            })
            .to_vec();
            headers.push((RETRY_AFTER, (*retry_after_seconds).into()));
            headers
        }
        _ => Vec::new(),
    }
}

/// Adds the remembered standing's headers to the response.
pub async fn rate_limit_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(request).await?;
    let standing = response.request().extensions().get::<Standing>().copied();
    if let Some(standing) = standing {
        let headers = response.headers_mut();
        for (name, value) in standing_headers(standing) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}
