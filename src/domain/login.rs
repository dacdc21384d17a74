//! Login email addresses: every principal is named by one, unique across the database.

use super::error::{Error, Result};
use std::fmt;

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Login(String);

const GENERATED_PREFIX: &str = "apiuser-";
const GENERATED_HEX_DIGITS: usize = 12;

impl Login {
    /// Parses any email address (account users). The error names `field`.
    pub fn parse(raw: &str, field: &'static str) -> Result<Login> {
        let candidate = raw.trim().to_ascii_lowercase();
        let (local, domain) = candidate
            .split_once('@')
            .ok_or(Error::ParameterInvalid(field))?;
        if candidate.len() > 254 || !is_valid_local_part(local) || !is_valid_domain(domain) {
            return Err(Error::ParameterInvalid(field));
        }
        Ok(Login(candidate))
    }

    /// Parses a caller-given API user login, which must live in the configured domain.
    pub fn parse_in_domain(raw: &str, domain: &str) -> Result<Login> {
        let login = Login::parse(raw, "email")?;
        if !login.domain().eq_ignore_ascii_case(domain) {
            return Err(Error::ParameterInvalid("email"));
        }
        Ok(login)
    }

    /// A fresh `apiuser-<12 lowercase hex>@<domain>` from the operating system's CSPRNG.
    pub fn generate(domain: &str) -> Result<Login> {
        let mut bytes = [0u8; GENERATED_HEX_DIGITS / 2];
        getrandom::fill(&mut bytes).map_err(Error::unknown)?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Login::parse(&format!("{GENERATED_PREFIX}{hex}@{domain}"), "email")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
}

fn is_valid_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_logins_have_the_contract_shape_and_differ() {
        let a = Login::generate("apiconnector.com").unwrap();
        let b = Login::generate("apiconnector.com").unwrap();
        assert_ne!(a, b);
        let local = a.local_part();
        let hex = local.strip_prefix("apiuser-").expect("prefix");
        assert_eq!(hex.len(), 12);
        assert!(
            hex.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(a.domain(), "apiconnector.com");
    }

    #[test]
    fn caller_given_login_must_be_in_the_domain() {
        let ok = Login::parse_in_domain("Shop@ApiConnector.com", "apiconnector.com").unwrap();
        assert_eq!(ok.as_str(), "shop@apiconnector.com");
        assert_eq!(
            Login::parse_in_domain("shop@example.com", "apiconnector.com"),
            Err(Error::ParameterInvalid("email"))
        );
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "no-at-sign",
            "@apiconnector.com",
            "a@",
            "a@nodot",
            "a..b@x.com",
            ".a@x.com",
            "a b@x.com",
            "a@-x.com",
            "a@x..com",
            "<a>@x.com",
        ] {
            assert!(Login::parse(bad, "email").is_err(), "{bad:?} accepted");
        }
        let long_local = format!("{}@x.com", "a".repeat(65));
        assert!(Login::parse(&long_local, "email").is_err());
    }
}
