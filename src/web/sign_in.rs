//! Signing in and out. The sign-in form has no session yet, so its CSRF token is a double
//! submit: the same random token in an HttpOnly, SameSite=Strict cookie and in the form.

use super::ACCESS_PAGE;
use super::calls::{Refusal, as_signed_in, sign_in as open_session};
use super::cookies::Cookies;
use super::fields::FormError;
use super::page_form::CsrfForm;
use super::page_form::PageForm;
use super::respond::{html_builder, refused, see_other};
use super::views::sign_in::{SignInPage, sign_in};
use crate::domain::{Channel, Error};
use crate::http::{answering, error_headers, label_request, note_call, status_of};
use crate::service::authenticate::{Credentials, Scheme};
use crate::service::web_sessions::{random_token, same_token};
use crate::service::{Gateway, Operation};
use actix_web::http::StatusCode;
use actix_web::http::header::WWW_AUTHENTICATE;
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

/// A 401 must name a challenge; a Basic one would open the browser's own login dialog over the
/// page, so it names the form (the "Cookie" scheme of draft-broyer-http-cookie-auth). Other
/// refusals carry the API's headers (`Retry-After` on the per-address limit's 429).
const FORM_CHALLENGE: &str = "Cookie realm=\"dualgate\" form-action=\"/sign-in\"";

/// The sign-in form as posted. No `Debug`: it holds a password.
#[derive(Deserialize)]
pub struct SignInForm {
    csrf: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

pub async fn form(request: HttpRequest, gateway: Data<Gateway>) -> HttpResponse {
    label_request(&request, Channel::Web, Some(Operation::SignInForm));
    let cookies = Cookies::for_gateway(&gateway);
    let token = match cookies
        .sign_in_token(&request)
        .map_or_else(random_token, Ok)
    {
        Ok(token) => token,
        Err(error) => {
            note_call(&request, None, Some(&error));
            return refused(Refusal::Failed(error), &gateway);
        }
    };
    let signed_out = request.query_string().split('&').any(|p| p == "signed-out");
    let page = sign_in(&SignInPage {
        csrf: &token,
        email: "",
        error: None,
        signed_out,
    });
    html_builder(StatusCode::OK)
        .cookie(cookies.sign_in(token))
        .body(page.into_string())
}

pub async fn submit(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<SignInForm>,
) -> HttpResponse {
    let cookies = Cookies::for_gateway(&gateway);
    let SignInForm {
        csrf,
        email,
        password,
    } = form.into_inner();
    let expected = cookies.sign_in_token(&request).unwrap_or_default();
    if !same_token(csrf.as_deref().unwrap_or_default(), &expected) {
        label_request(&request, Channel::Web, Some(Operation::SignIn));
        return refused(Refusal::Forged, &gateway);
    }
    let email = email.unwrap_or_default();
    // The form carries a login and a password in the clear, as HTTP Basic does.
    let credentials = Credentials {
        scheme: Scheme::Basic,
        login: email.clone(),
        password: password.unwrap_or_default(),
    };
    match open_session(&request, gateway.clone(), credentials).await {
        Ok(token) => see_other(ACCESS_PAGE)
            .cookie(cookies.session(token))
            .cookie(cookies.sign_in_removal())
            .finish(),
        Err(error) => {
            let shown = refusal_text(&error);
            let page = sign_in(&SignInPage {
                csrf: &expected,
                email: &email,
                error: Some(&shown),
                signed_out: false,
            });
            let mut response = html_builder(status_of(&error));
            if error == Error::InvalidLogin {
                response.insert_header((WWW_AUTHENTICATE, FORM_CHALLENGE));
            } else {
                for header in error_headers(&error) {
                    response.insert_header(header);
                }
            }
            answering(response.body(page.into_string()), &error)
        }
    }
}

/// Why a sign-in failed, in words for the page; the code stays the catalogue's. A wrong
/// password, an unknown email and a locked user read the same, as they do on the API.
fn refusal_text(error: &Error) -> FormError {
    match error {
        Error::InvalidLogin => FormError::with_text(
            error,
            None,
            "The email address or password is not right, or this user may not sign in now.",
        ),
        Error::PermissionDenied => FormError::with_text(
            error,
            None,
            "API users cannot sign in to this page: they call the API (REST or SOAP) with their \
             email address and password. Sign in as the account owner or an account user.",
        ),
        other => FormError::new(other),
    }
}

pub async fn sign_out(
    request: HttpRequest,
    gateway: Data<Gateway>,
    form: PageForm<CsrfForm>,
) -> HttpResponse {
    let sent = form.into_inner().csrf.unwrap_or_default();
    let signed = match as_signed_in(
        &request,
        gateway.clone(),
        Operation::SignOut,
        Some(sent),
        |visit| visit.end(),
    )
    .await
    {
        Ok(signed) => signed,
        Err(refusal) => return refused(refusal, &gateway),
    };
    match signed.outcome {
        Ok(()) => see_other("/sign-in?signed-out")
            .cookie(Cookies::for_gateway(&gateway).session_removal())
            .finish(),
        Err(error) => refused(Refusal::Failed(error), &gateway),
    }
}
