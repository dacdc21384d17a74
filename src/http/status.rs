//! The HTTP status of a catalogue error, mapped once, at the edge: the domain knows no HTTP.

use crate::domain::Error;
use actix_web::http::StatusCode;

/// The status of the REST rendering, of the page's, and of SOAP faults raised before dispatch.
pub fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::InvalidLogin => StatusCode::UNAUTHORIZED,
        Error::PermissionDenied => StatusCode::FORBIDDEN,
        Error::ApiUserNotFound => StatusCode::NOT_FOUND,
        Error::ApiUserExists => StatusCode::CONFLICT,
        Error::WeakPassword(_)
        | Error::PasswordsDoNotMatch
        | Error::ParameterInvalid(_)
        | Error::MalformedRequest(_) => StatusCode::BAD_REQUEST,
        Error::ContentTypeNotSupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Error::RequestTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::ApiUsageExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Unknown(_) => StatusCode::INTERNAL_SERVER_ERROR,
        // Trying again later may succeed once an operator clears the condition.
        Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_500_and_unavailable_storage_503() {
        assert_eq!(
            status_of(&Error::unknown("SQLITE_FULL at /var/secret.db")),
            500
        );
        assert_eq!(
            status_of(&Error::Unavailable("database or disk is full".into())),
            503
        );
    }
}
