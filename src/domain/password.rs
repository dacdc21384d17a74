//! The password policy. A `Password` can only exist once it has passed the policy, and it
//! never prints its value.

use super::error::{Error, Result};
use super::login::Login;
use std::fmt;

/// bcrypt reads at most 72 bytes; a longer password is refused rather than silently cut.
pub const MAX_PASSWORD_BYTES: usize = 72;
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Names shorter than this are not searched for inside passwords: a one-letter account name
/// would otherwise forbid most passwords.
const MIN_FORBIDDEN_NAME_CHARS: usize = 3;

/// A password that satisfies the policy.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// Whose password is being set: the policy forbids the login's local part and the account name.
pub struct PasswordOwner<'a> {
    pub login: &'a Login,
    pub account_name: &'a str,
}

impl Password {
    /// Checks the confirmation (when given) and then the policy.
    pub fn parse(raw: &str, confirmation: Option<&str>, owner: &PasswordOwner) -> Result<Password> {
        if confirmation.is_some_and(|c| c != raw) {
            return Err(Error::PasswordsDoNotMatch);
        }
        if raw.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Error::WeakPassword(
                "The password must be at least 8 characters long",
            ));
        }
        if raw.len() > MAX_PASSWORD_BYTES {
            return Err(Error::WeakPassword(
                "The password must be at most 72 bytes long",
            ));
        }
        if raw.chars().all(char::is_alphabetic) {
            return Err(Error::WeakPassword(
                "The password must contain a digit or a non-alphanumeric character",
            ));
        }
        let lowered = raw.to_lowercase();
        if lowered.contains("password") {
            return Err(Error::WeakPassword(
                "The password must not contain the word \"password\"",
            ));
        }
        if contains_name(&lowered, owner.login.local_part()) {
            return Err(Error::WeakPassword(
                "The password must not contain the login",
            ));
        }
        if contains_name(&lowered, owner.account_name) {
            return Err(Error::WeakPassword(
                "The password must not contain the account name",
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    /// The secret itself, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn contains_name(lowered_password: &str, name: &str) -> bool {
    let name = name.trim().to_lowercase();
    name.chars().count() >= MIN_FORBIDDEN_NAME_CHARS && lowered_password.contains(&name)
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A bcrypt hash as stored; the only form in which a password is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

/// 16 bits of a keyed hash of a candidate password: tells the same wrong password sent again
/// without keeping either (`auth::fingerprint` computes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub u16);

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, confirmation: Option<&str>) -> Result<Password> {
        let login = Login::parse("apiuser-0123456789ab@apiconnector.com", "email").unwrap();
        let owner = PasswordOwner {
            login: &login,
            account_name: "Acme Shop",
        };
        Password::parse(raw, confirmation, &owner)
    }

    fn weak(result: Result<Password>) -> bool {
        matches!(result, Err(Error::WeakPassword(_)))
    }

    #[test]
    fn a_good_password_passes_with_or_without_confirmation() {
        assert!(check("Magento#2026shop", None).is_ok());
        assert!(check("Magento#2026shop", Some("Magento#2026shop")).is_ok());
        assert!(check("correct horse battery staple", None).is_ok());
        assert!(check("12345678", None).is_ok());
    }

    #[test]
    fn confirmation_must_match() {
        assert_eq!(
            check("Magento#2026shop", Some("Magento#2026shoP")),
            Err(Error::PasswordsDoNotMatch)
        );
    }

    #[test]
    fn length_rules_count_characters_and_bytes() {
        assert!(weak(check("Ab1!xyz", None)));
        assert!(check("Ab1!xyzq", None).is_ok());
        assert!(check(&format!("1{}", "a".repeat(71)), None).is_ok());
        assert!(weak(check(&format!("1{}", "a".repeat(72)), None)));
        // 8 characters but 3 bytes each: over 72 bytes once there are 25 of them.
        assert!(check(&"€".repeat(24), None).is_ok());
        assert!(weak(check(&"€".repeat(25), None)));
    }

    #[test]
    fn needs_a_digit_or_symbol() {
        assert!(weak(check("OnlyLetters", None)));
        assert!(weak(check("ÉtéÀÎÔÛÇœ", None)));
        assert!(check("Letters-and-dash", None).is_ok());
    }

    #[test]
    fn forbidden_words_in_any_case() {
        assert!(weak(check("myPaSsWoRd1", None)));
        assert!(weak(check("x-APIUSER-0123456789AB-1", None)));
        assert!(weak(check("acme shop 2026", None)));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let password = check("Magento#2026shop", None).unwrap();
        assert!(!format!("{password:?}").contains("Magento"));
    }
}
