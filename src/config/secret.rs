use std::fmt;
use std::str::FromStr;

/// A password or key given on the command line or in the environment. It never prints: its
/// `Debug` is redacted, so a settings struct can be logged whole.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Secret(value.to_owned()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let secret: Secret = "Sturdy#Key-2026".parse().unwrap();
        assert_eq!(secret.expose(), "Sturdy#Key-2026");
        assert!(!format!("{secret:?}").contains("Sturdy"));
    }
}
