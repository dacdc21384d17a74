//! The one call path of every adapter: the caller established on a blocking thread (bcrypt
//! never runs on an actix worker), then one rule for what the log says of it. One exception:
//! a point read by a caller the credential cache vouches for, on a store that answers at once,
//! runs on the worker itself; there the two thread hops would cost more than the call.

use super::client_address::client_address;
use super::rate_limit_headers::remember_standing;
use super::request_log::{channel, set_principal};
use crate::domain::{Caller, Error, Origin, Result};
use crate::service::authenticate::{
    Authenticated, Credentials, authenticate, authenticate_at_once,
};
use crate::service::{Gateway, Operation};
use actix_web::{HttpRequest, web};

/// Authenticates the caller and runs `work` as them, both on one blocking thread, or both on
/// the worker for a point read the cache vouches for (`at_once`). Missing credentials are
/// refused without a bcrypt verification (the first half of a Basic challenge is not a failed
/// login).
pub async fn call_as<T, F>(
    request: &HttpRequest,
    gateway: web::Data<Gateway>,
    operation: Operation,
    credentials: Option<Credentials>,
    work: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Gateway, &Caller) -> Result<T> + Send + 'static,
{
    let credentials = credentials.ok_or(Error::InvalidLogin)?;
    let presented = credentials.login.clone();
    let origin = origin(request);
    let ran = match at_once(&gateway, operation, &credentials, &origin) {
        Ok(Some(authenticated)) => {
            let outcome = work(&gateway, &authenticated.caller);
            Ok((authenticated, outcome))
        }
        Ok(None) => {
            blocking(move || {
                let authenticated = authenticate(&gateway, &credentials, origin?)?;
                let outcome = work(&gateway, &authenticated.caller);
                Ok((authenticated, outcome))
            })
            .await
        }
        Err(error) => Err(error),
    };
    let (login, outcome) = match ran {
        Ok((authenticated, outcome)) => {
            if let Some(standing) = authenticated.rate {
                remember_standing(request, standing);
            }
            (authenticated.caller.principal.login.to_string(), outcome)
        }
        Err(error) => (presented, Err(error)),
    };
    note_call(request, Some(&login), outcome.as_ref().err());
    outcome
}

/// The caller of a point read, authenticated on the worker when nothing in it can wait: the
/// store answers at once and the credential cache vouches for the credentials. `None` leaves
/// the whole call to a blocking thread.
fn at_once(
    gateway: &Gateway,
    operation: Operation,
    credentials: &Credentials,
    origin: &Result<Origin>,
) -> Result<Option<Authenticated>> {
    if !operation.is_point_read() || !gateway.store.answers_at_once() {
        return Ok(None);
    }
    authenticate_at_once(gateway, credentials, origin.clone()?)
}

/// A read of one row that needs no caller (`/health`): on the worker where the store answers at
/// once, else on a blocking thread.
pub async fn point_read<T, F>(gateway: web::Data<Gateway>, read: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Gateway) -> Result<T> + Send + 'static,
{
    if gateway.store.answers_at_once() {
        read(&gateway)
    } else {
        blocking(move || read(&gateway)).await
    }
}

/// Runs `work` on a blocking thread. Callers note what it came to with `note_call`.
pub async fn blocking<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    web::block(work).await.map_err(Error::unknown).flatten()
}

/// What the log says of a call, one rule for every adapter: the login it ran as (or the one
/// presented) unless the credentials were refused, since a login nobody has names nobody; and
/// the cause of a server-side failure.
pub fn note_call(request: &HttpRequest, login: Option<&str>, failure: Option<&Error>) {
    if let Some(login) = login
        && failure != Some(&Error::InvalidLogin)
    {
        set_principal(request, login);
    }
    if let Some(cause) = failure.and_then(Error::cause) {
        tracing::error!(cause, "request failed");
    }
}

/// The credentials of an `Authorization: Basic` header, if any.
pub fn basic_credentials(request: &HttpRequest) -> Option<Credentials> {
    request
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(Credentials::from_basic_header)
}

/// The `{id}` segment of the matched path, as text: the core parses it.
pub fn path_id(request: &HttpRequest) -> String {
    request
        .match_info()
        .get("id")
        .unwrap_or_default()
        .to_owned()
}

/// Where a request comes from: the channel it was labelled with and the client's address.
pub fn origin(request: &HttpRequest) -> Result<Origin> {
    Ok(Origin {
        channel: channel(request).ok_or_else(|| Error::unknown("the request has no channel"))?,
        address: client_address(request).map(|address| address.to_string()),
    })
}
