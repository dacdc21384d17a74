use super::rate_limit_headers::remember_standing;
use super::request_log::set_principal;
use crate::auth::Credentials;
use crate::domain::{Caller, Channel, Error, Origin, Result};
use crate::service::Gateway;
use crate::service::authenticate::authenticate;
use actix_web::{HttpRequest, web};

/// Authenticates the caller and runs `work` as them, both on one blocking thread: bcrypt and
/// SQLite never run on an actix worker. Missing credentials are refused without a bcrypt
/// verification (the first half of a Basic challenge is not a failed login).
pub async fn call_as<T, F>(
    request: &HttpRequest,
    gateway: web::Data<Gateway>,
    channel: Channel,
    credentials: Option<Credentials>,
    work: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Gateway, &Caller) -> Result<T> + Send + 'static,
{
    let credentials = credentials.ok_or(Error::InvalidLogin)?;
    let login = credentials.login.clone();
    let origin = origin(request, channel);
    let outcome = web::block(move || {
        let authenticated = authenticate(&gateway, &credentials, origin)?;
        let outcome = work(&gateway, &authenticated.caller);
        Ok((authenticated, outcome))
    })
    .await
    .map_err(Error::unknown)
    .flatten()
    .and_then(|(authenticated, outcome)| {
        set_principal(request, authenticated.caller.principal.login.as_str());
        if let Some(standing) = authenticated.rate {
            remember_standing(request, standing);
        }
        outcome
    });
    if let Err(error) = &outcome {
        if let Some(cause) = error.cause() {
            tracing::error!(cause, "request failed");
        }
        if *error != Error::InvalidLogin {
            set_principal(request, &login);
        }
    }
    outcome
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

/// Where a request comes from: its channel and the TCP peer's address (no forwarding header
/// is trusted).
pub fn origin(request: &HttpRequest, channel: Channel) -> Origin {
    Origin {
        channel,
        address: request.peer_addr().map(|address| address.ip().to_string()),
    }
}
