use super::request_log::set_principal;
use crate::auth::{Credentials, authenticate};
use crate::domain::{Error, Principal, Result};
use crate::service::Gateway;
use actix_web::{HttpRequest, web};

/// Authenticates the caller and runs `work` as them, both on one blocking thread: bcrypt and
/// SQLite never run on an actix worker. Missing credentials are refused without a bcrypt
/// verification (the first half of a Basic challenge is not a failed login).
pub async fn call_as<T, F>(
    request: &HttpRequest,
    gateway: web::Data<Gateway>,
    credentials: Option<Credentials>,
    work: F,
) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Gateway, &Principal) -> Result<T> + Send + 'static,
{
    let credentials = credentials.ok_or(Error::InvalidLogin)?;
    let login = credentials.login.clone();
    let outcome = web::block(move || {
        let principal = authenticate(&gateway, &credentials)?;
        work(&gateway, &principal).map(|value| (principal, value))
    })
    .await
    .map_err(Error::unknown)
    .flatten();
    match outcome {
        Ok((principal, value)) => {
            set_principal(request, principal.login.as_str());
            Ok(value)
        }
        Err(error) => {
            if let Error::Unknown(cause) = &error {
                tracing::error!(cause, "request failed");
            }
            if error != Error::InvalidLogin {
                set_principal(request, &login);
            }
            Err(error)
        }
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
