//! How the page answers: HTML with its security headers, redirects, and the pages that refuse.

use super::ACCESS_PAGE;
use super::calls::Refusal;
use super::cookies::Cookies;
use super::views::{self, SignedInAs};
use crate::domain::Error;
use crate::http::{answering, status_of};
use crate::service::Gateway;
use actix_web::http::StatusCode;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, LOCATION, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use actix_web::{HttpResponse, HttpResponseBuilder};
use maud::Markup;

/// Nothing from elsewhere (no script at all), forms post only here, and never in a frame.
const POLICY: &str =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A response with the page's security headers. Never stored by a cache: pages show account
/// data and carry the session's CSRF token.
pub fn with_headers(status: StatusCode) -> HttpResponseBuilder {
    let mut response = HttpResponse::build(status);
    response
        .insert_header((CONTENT_SECURITY_POLICY, POLICY))
        .insert_header((X_FRAME_OPTIONS, "DENY"))
        .insert_header((REFERRER_POLICY, "same-origin"))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((CACHE_CONTROL, "no-store"));
    response
}

pub fn html(status: StatusCode, markup: Markup) -> HttpResponse {
    html_builder(status).body(markup.into_string())
}

/// For pages that also set cookies.
pub fn html_builder(status: StatusCode) -> HttpResponseBuilder {
    let mut response = with_headers(status);
    response.content_type("text/html; charset=utf-8");
    response
}

/// 303 See Other: after a form, the browser shows the next page with a GET.
pub fn see_other(location: &str) -> HttpResponseBuilder {
    let mut response = with_headers(StatusCode::SEE_OTHER);
    response.insert_header((LOCATION, location));
    response
}

pub async fn to_access_page() -> HttpResponse {
    see_other(ACCESS_PAGE).finish()
}

pub async fn page_not_found() -> HttpResponse {
    html(StatusCode::NOT_FOUND, views::messages::no_such_page())
}

/// The answer to a request that was not run: sign in, a refused form, or a failure.
pub fn refused(refusal: Refusal, gateway: &Gateway) -> HttpResponse {
    match refusal {
        Refusal::SignedOut => see_other("/sign-in")
            .cookie(Cookies::for_gateway(gateway).session_removal())
            .finish(),
        Refusal::Forged => html(StatusCode::FORBIDDEN, views::messages::forged_form()),
        Refusal::Failed(error) => answering(
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                views::messages::error(None, &error),
            ),
            &error,
        ),
    }
}

/// A catalogue error refused before any session is read, as a page of its own.
pub fn refusal(error: &Error) -> HttpResponse {
    answering(
        html(status_of(error), views::messages::error(None, error)),
        error,
    )
}

/// The page for an error that no form field shows: a missing permission, an API user that
/// is not there, a failure.
pub fn error_page(error: &Error, who: &SignedInAs) -> HttpResponse {
    let page = match error {
        Error::PermissionDenied => views::messages::needs_manage_account(who),
        _ => views::messages::error(Some(who), error),
    };
    answering(html(status_of(error), page), error)
}
