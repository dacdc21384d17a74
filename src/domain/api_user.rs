use super::account::AccountId;
use super::description::Description;
use super::error::{Error, Result};
use super::login::Login;
use super::password::PasswordHash;
use super::status::Status;
use super::time::Timestamp;

/// An API user's id: an int32 assigned by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiUserId(pub i32);

impl ApiUserId {
    /// Parses an id as it arrives on the wire. A number outside int32 is an invalid
    /// parameter; a well-formed id that matches nothing is "not found" later.
    pub fn parse(raw: &str) -> Result<ApiUserId> {
        raw.trim()
            .parse::<i32>()
            .map(ApiUserId)
            .map_err(|_| Error::ParameterInvalid("id"))
    }
}

/// An API user as callers see it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiUser {
    pub id: ApiUserId,
    pub account: AccountId,
    pub login: Login,
    pub description: Description,
    pub status: Status,
    pub tiered_rate_limit: bool,
    pub locked: bool,
    pub created: Timestamp,
    pub last_used: Option<Timestamp>,
}

/// Everything needed to store a new API user.
#[derive(Debug, Clone)]
pub struct NewApiUser {
    pub account: AccountId,
    pub login: Login,
    pub description: Description,
    pub status: Status,
    pub tiered_rate_limit: bool,
    pub password_hash: PasswordHash,
    pub created: Timestamp,
}

/// The changes of an update: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiUserChanges {
    pub description: Option<Description>,
    pub status: Option<Status>,
    pub tiered_rate_limit: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_int32() {
        assert_eq!(ApiUserId::parse("42"), Ok(ApiUserId(42)));
        assert_eq!(ApiUserId::parse(" 7 "), Ok(ApiUserId(7)));
        for bad in ["", "x", "2147483648", "1.0"] {
            assert_eq!(ApiUserId::parse(bad), Err(Error::ParameterInvalid("id")));
        }
    }
}
