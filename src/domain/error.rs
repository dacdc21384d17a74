//! The one error catalogue. Every failure a caller can see is one of these variants; its
//! `Display` is the exact wire message (`"<human text>. <CODE>"`), shared by REST and SOAP.

/// An error of the contract's catalogue. The `Unknown` and `Unavailable` variants carry the
/// cause for the log, which is never shown to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("Authorization has been denied for this request. ERROR_INVALID_LOGIN")]
    InvalidLogin,
    #[error(
        "This operation needs the account owner or the \"Can manage account\" permission. ERROR_PERMISSION_DENIED"
    )]
    PermissionDenied,
    #[error("No such API user in this account. ERROR_APIUSER_NOT_FOUND")]
    ApiUserNotFound,
    #[error("This login is already taken. ERROR_INVALID_APIUSEREXISTS")]
    ApiUserExists,
    #[error("{0}. ERROR_WEAK_PASSWORD")]
    WeakPassword(&'static str),
    #[error("The password and its confirmation do not match. ERROR_PASSWORDS_DO_NOT_MATCH")]
    PasswordsDoNotMatch,
    #[error("The parameter '{0}' is invalid. ERROR_PARAMETER_INVALID")]
    ParameterInvalid(&'static str),
    #[error("The request is malformed: {0}. ERROR_MALFORMED_REQUEST")]
    MalformedRequest(String),
    #[error("The content type {0} is not supported here. ERROR_CONTENT_TYPE_IS_NOT_SUPPORTED")]
    ContentTypeNotSupported(String),
    #[error("The request body is larger than {0} bytes. ERROR_REQUEST_TOO_LARGE")]
    RequestTooLarge(usize),
    /// A rate limit: an API user's calls, or an address's failed logins.
    #[error("The API call limit has been exceeded. ERROR_APIUSAGE_EXCEEDED")]
    ApiUsageExceeded {
        limit: u32,
        retry_after_seconds: u32,
    },
    #[error("An unexpected error occurred. ERROR_UNKNOWN")]
    Unknown(String),
    /// Storage that cannot take the request for now (disk full, read-only or failing file,
    /// lock wait timed out): still `ERROR_UNKNOWN`, but a status of its own on REST, since
    /// trying again later may succeed once an operator clears the condition.
    #[error("The service cannot complete this request right now; try again later. ERROR_UNKNOWN")]
    Unavailable(String),
}

/// Who is at fault, which decides the SOAP fault code (Client/Sender or Server/Receiver).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blame {
    Caller,
    Server,
}

impl Error {
    /// The contract's `ERROR_*` code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidLogin => "ERROR_INVALID_LOGIN",
            Error::PermissionDenied => "ERROR_PERMISSION_DENIED",
            Error::ApiUserNotFound => "ERROR_APIUSER_NOT_FOUND",
            Error::ApiUserExists => "ERROR_INVALID_APIUSEREXISTS",
            Error::WeakPassword(_) => "ERROR_WEAK_PASSWORD",
            Error::PasswordsDoNotMatch => "ERROR_PASSWORDS_DO_NOT_MATCH",
            Error::ParameterInvalid(_) => "ERROR_PARAMETER_INVALID",
            Error::MalformedRequest(_) => "ERROR_MALFORMED_REQUEST",
            Error::ContentTypeNotSupported(_) => "ERROR_CONTENT_TYPE_IS_NOT_SUPPORTED",
            Error::RequestTooLarge(_) => "ERROR_REQUEST_TOO_LARGE",
            Error::ApiUsageExceeded { .. } => "ERROR_APIUSAGE_EXCEEDED",
            Error::Unknown(_) | Error::Unavailable(_) => "ERROR_UNKNOWN",
        }
    }

    pub fn blame(&self) -> Blame {
        match self {
            Error::Unknown(_) | Error::Unavailable(_) => Blame::Server,
            _ => Blame::Caller,
        }
    }

    /// A media type refused, named as the caller sent it (shortened).
    pub fn unsupported_content_type(raw: &str) -> Self {
        let shown = match raw.trim() {
            "" => "(none)".to_owned(),
            given => given.chars().take(100).collect(),
        };
        Error::ContentTypeNotSupported(shown)
    }

    /// Wraps an infrastructure failure; the cause goes to the log only.
    pub fn unknown(cause: impl std::fmt::Display) -> Self {
        Error::Unknown(cause.to_string())
    }

    /// The cause of a server-side failure, for the log; `None` for the caller's errors.
    pub fn cause(&self) -> Option<&str> {
        match self {
            Error::Unknown(cause) | Error::Unavailable(cause) => Some(cause),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_ends_with_its_code_as_last_word() {
        let all = [
            Error::InvalidLogin,
            Error::PermissionDenied,
            Error::ApiUserNotFound,
            Error::ApiUserExists,
            Error::WeakPassword("The password is too short"),
            Error::PasswordsDoNotMatch,
            Error::ParameterInvalid("select"),
            Error::MalformedRequest("x".into()),
            Error::ContentTypeNotSupported("text/plain".into()),
            Error::RequestTooLarge(10),
            Error::ApiUsageExceeded {
                limit: 1,
                retry_after_seconds: 1,
            },
            Error::Unknown("disk on fire".into()),
            Error::Unavailable("database or disk is full".into()),
        ];
        for e in all {
            let message = e.to_string();
            assert_eq!(message.rsplit(' ').next(), Some(e.code()), "{message}");
            assert!(message.contains(". ERROR_"), "{message}");
        }
    }

    #[test]
    fn wire_forms_are_exact() {
        assert_eq!(
            Error::InvalidLogin.to_string(),
            "Authorization has been denied for this request. ERROR_INVALID_LOGIN"
        );
        assert_eq!(
            Error::ParameterInvalid("select").to_string(),
            "The parameter 'select' is invalid. ERROR_PARAMETER_INVALID"
        );
        assert_eq!(
            Error::ApiUserNotFound.to_string(),
            "No such API user in this account. ERROR_APIUSER_NOT_FOUND"
        );
    }

    #[test]
    fn unknown_never_shows_its_cause() {
        let e = Error::unknown("SQLITE_FULL at /var/secret.db");
        assert!(!e.to_string().contains("secret"));
        assert_eq!(e.blame(), Blame::Server);
    }

    #[test]
    fn unavailable_storage_is_error_unknown_with_no_cause() {
        let e = Error::Unavailable("database or disk is full at /var/secret.db".into());
        assert_eq!(e.code(), "ERROR_UNKNOWN");
        assert_eq!(e.blame(), Blame::Server);
        assert!(!e.to_string().contains("secret") && !e.to_string().contains("disk"));
        assert_eq!(
            e.cause(),
            Some("database or disk is full at /var/secret.db")
        );
        assert_eq!(Error::InvalidLogin.cause(), None);
    }
}
