//! Which form field a catalogue error concerns, so that the page shows it next to that field.

use crate::domain::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Email,
    Description,
    Status,
    Password,
    ConfirmPassword,
    CanManageAccount,
    Target,
    Action,
}

/// A catalogue error as a form shows it: its text and code, next to the field it concerns, or
/// above the form when it concerns none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: Option<Field>,
    pub text: String,
    pub code: &'static str,
}

impl FormError {
    pub fn new(error: &Error) -> FormError {
        let field = match error {
            Error::ApiUserExists | Error::ParameterInvalid("email") => Some(Field::Email),
            Error::ParameterInvalid("description") => Some(Field::Description),
            Error::ParameterInvalid("status") => Some(Field::Status),
            Error::WeakPassword(_) | Error::ParameterInvalid("password") => Some(Field::Password),
            Error::PasswordsDoNotMatch => Some(Field::ConfirmPassword),
            Error::ParameterInvalid("canManageAccount") => Some(Field::CanManageAccount),
            Error::ParameterInvalid("target") => Some(Field::Target),
            Error::ParameterInvalid("action") => Some(Field::Action),
            _ => None,
        };
        FormError::with_text(error, field, &message_text(error))
    }

    /// The error with a text of the page's own (the code stays the catalogue's).
    pub fn with_text(error: &Error, field: Option<Field>, text: &str) -> FormError {
        FormError {
            field,
            text: text.to_owned(),
            code: error.code(),
        }
    }

    /// This error, if it is the one to show at `field` (`None`: above the form).
    pub fn at(error: Option<&FormError>, field: Option<Field>) -> Option<&FormError> {
        error.filter(|error| error.field == field)
    }
}

/// The catalogue's message without its trailing code, which the page shows apart.
pub fn message_text(error: &Error) -> String {
    let message = error.to_string();
    message
        .strip_suffix(error.code())
        .map_or(message.clone(), |text| text.trim_end().to_owned())
}

/// Errors about the request rather than what was typed: shown as a page of their own, not in
/// the form. `Unknown` and `Unavailable` are among them, so that they are logged and never
/// shown with input kept.
pub fn is_page_error(error: &Error) -> bool {
    matches!(
        error,
        Error::PermissionDenied
            | Error::ApiUserNotFound
            | Error::ParameterInvalid("id")
            | Error::Unknown(_)
            | Error::Unavailable(_)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_input_error_lands_on_its_field() {
        let field = |error: Error| FormError::new(&error).field;
        assert_eq!(field(Error::ApiUserExists), Some(Field::Email));
        assert_eq!(field(Error::ParameterInvalid("email")), Some(Field::Email));
        assert_eq!(
            field(Error::ParameterInvalid("description")),
            Some(Field::Description)
        );
        assert_eq!(
            field(Error::ParameterInvalid("status")),
            Some(Field::Status)
        );
        assert_eq!(
            field(Error::WeakPassword("too short")),
            Some(Field::Password)
        );
        assert_eq!(
            field(Error::PasswordsDoNotMatch),
            Some(Field::ConfirmPassword)
        );
        assert_eq!(
            field(Error::ParameterInvalid("action")),
            Some(Field::Action)
        );
        let limited = Error::ApiUsageExceeded {
            limit: 50,
            retry_after_seconds: 60,
        };
        assert_eq!(field(limited), None);
    }

    #[test]
    fn the_text_is_the_catalogues_without_the_code() {
        let error = FormError::new(&Error::WeakPassword(
            "The password must be at least 8 characters long",
        ));
        assert_eq!(
            error.text,
            "The password must be at least 8 characters long."
        );
        assert_eq!(error.code, "ERROR_WEAK_PASSWORD");
    }
}
