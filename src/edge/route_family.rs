//! Errors answered outside any handler (before routing, or for a route with no handler of its
//! own) are rendered as the route family of the path renders them: a SOAP fault in the
//! request's version on the SOAP URL, the page's error page on the Access page's paths, REST
//! JSON everywhere else.

use crate::domain::Error;
use crate::{rest, soap, web};
use actix_web::HttpResponse;
use actix_web::dev::RequestHead;

pub fn render(head: &RequestHead, error: Error) -> HttpResponse {
    let path = head.uri.path();
    if soap::serves(path) {
        soap::refusal(head.headers(), error)
    } else if web::serves(path) {
        web::refusal(&error)
    } else {
        rest::error_response(&error)
    }
}
