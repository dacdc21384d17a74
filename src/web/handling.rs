//! What every tab's handlers share: running work in the request's session, and the outcome
//! of a form (saved, with a flash for the next page, or refused with the error to show).

use super::calls::{Signed, Visit, as_signed_in};
use super::fields::{FormError, is_page_error};
use super::respond::{error_page, html, refused};
use super::views::SignedInAs;
use crate::domain::{Error, Result};
use crate::http::{answering, status_of};
use crate::service::{Gateway, Operation};
use actix_web::web::Data;
use actix_web::{HttpRequest, HttpResponse};

/// What a form's work came to: saved (the flash is left), or refused with an error to show in
/// the form, along with what the form needs to be shown again.
pub enum Submitted<T> {
    Saved,
    Refused(T, Error),
}

/// Runs `work` in the request's session and renders its outcome with `render`; a refusal
/// (signed out, forged form) or an error that no form shows gets its own page.
pub async fn in_session<T, W, R>(
    request: &HttpRequest,
    gateway: Data<Gateway>,
    operation: Operation,
    form_csrf: Option<String>,
    work: W,
    render: R,
) -> HttpResponse
where
    T: Send + 'static,
    W: FnOnce(&Visit) -> Result<T> + Send + 'static,
    R: FnOnce(&SignedInAs, Option<&str>, T) -> HttpResponse,
{
    let signed: Signed<T> =
        match as_signed_in(request, gateway.clone(), operation, form_csrf, work).await {
            Ok(signed) => signed,
            Err(refusal) => return refused(refusal, &gateway),
        };
    let who = SignedInAs {
        login: signed.login.as_str(),
        csrf: &signed.csrf,
    };
    match signed.outcome {
        Ok(value) => render(&who, signed.flash.as_deref(), value),
        Err(error) => error_page(&error, &who),
    }
}

/// Runs a form's `save`, leaving `flash(&saved)` for the next page; an error that concerns
/// what was typed is kept for the form, with what `again` gives to show it again.
pub fn submit<S, T>(
    visit: &Visit,
    save: impl FnOnce(&Visit) -> Result<S>,
    flash: impl FnOnce(&S) -> String,
    again: impl FnOnce(&Visit) -> Result<T>,
) -> Result<Submitted<T>> {
    match save(visit) {
        Ok(saved) => {
            visit.leave_flash(&flash(&saved))?;
            Ok(Submitted::Saved)
        }
        Err(error) if is_page_error(&error) => Err(error),
        Err(error) => Ok(Submitted::Refused(again(visit)?, error)),
    }
}

/// A form refused for `error`: the page `form` renders with the error shown, in the status
/// the error calls for.
pub fn refused_form(error: &Error, form: impl FnOnce(&FormError) -> maud::Markup) -> HttpResponse {
    answering(html(status_of(error), form(&FormError::new(error))), error)
}
