use super::cache::Scheme;
use base64::Engine;
use std::fmt;

/// A login and password as presented by a caller (HTTP Basic or a WS-Security
/// UsernameToken). The password never prints.
#[derive(Clone)]
pub struct Credentials {
    pub scheme: Scheme,
    pub login: String,
    pub password: String,
}

impl Credentials {
    /// Reads an `Authorization: Basic …` header value; `None` when it is not one.
    pub fn from_basic_header(value: &str) -> Option<Credentials> {
        let (scheme, encoded) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (login, password) = text.split_once(':')?;
        Some(Credentials {
            scheme: Scheme::Basic,
            login: login.to_owned(),
            password: password.to_owned(),
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_basic_headers() {
        // "owner@example.com:se:cret"
        let c =
            Credentials::from_basic_header("Basic b3duZXJAZXhhbXBsZS5jb206c2U6Y3JldA==").unwrap();
        assert_eq!(c.login, "owner@example.com");
        assert_eq!(c.password, "se:cret");
        assert!(
            Credentials::from_basic_header("basic b3duZXJAZXhhbXBsZS5jb206c2U6Y3JldA==").is_some()
        );
        assert!(Credentials::from_basic_header("Bearer abc").is_none());
        assert!(Credentials::from_basic_header("Basic !!!").is_none());
        assert!(Credentials::from_basic_header("Basic bm9jb2xvbg==").is_none());
        assert!(!format!("{c:?}").contains("cret"));
    }
}
