use super::error::{Error, Result};

/// Whether an API user may authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Enabled,
    Disabled,
}

impl Status {
    pub const ALL: [Status; 2] = [Status::Enabled, Status::Disabled];

    pub fn parse(raw: &str) -> Result<Status> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or(Error::ParameterInvalid("status"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "Enabled",
            Status::Disabled => "Disabled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_two_contract_values_parse() {
        assert_eq!(Status::parse("Enabled"), Ok(Status::Enabled));
        assert_eq!(Status::parse("Disabled"), Ok(Status::Disabled));
        for bad in ["enabled", "DISABLED", "", "Locked"] {
            assert_eq!(Status::parse(bad), Err(Error::ParameterInvalid("status")));
        }
        assert_eq!(Status::Disabled.as_str(), "Disabled");
    }
}
