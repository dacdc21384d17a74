use super::error::{Error, Result};
use super::login::Login;
use super::password::PasswordHash;
use super::text::is_storable_text;
use super::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountId(pub i64);

/// Longest account name, in characters.
const MAX_ACCOUNT_NAME_CHARS: usize = 255;

/// An account's name: 1 to 255 characters once trimmed, each one both wire formats can carry
/// (account info returns it as `Name` over SOAP too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<AccountName> {
        let name = raw.trim();
        let fits = (1..=MAX_ACCOUNT_NAME_CHARS).contains(&name.chars().count());
        match fits && is_storable_text(name) {
            true => Ok(AccountName(name.to_owned())),
            false => Err(Error::ParameterInvalid("name")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account: the tenant that owns account users and API users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    /// The owner's login, reported as `MainEmail`.
    pub main_email: Login,
    pub locale: String,
    pub time_zone: String,
}

/// An account and its owner, as created on first start or by `dualgate account create`.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub owner_login: Login,
    pub owner_password_hash: PasswordHash,
}

/// A person who signs in to an account (not an API user).
#[derive(Debug, Clone)]
pub struct NewAccountUser {
    pub account: AccountId,
    pub login: Login,
    pub password_hash: PasswordHash,
    pub can_manage_account: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountUserId(pub i64);

impl AccountUserId {
    /// An id as a path or a form gives it; anything but a positive number names nobody.
    pub fn parse(raw: &str) -> Result<AccountUserId> {
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(AccountUserId)
            .ok_or(Error::ParameterInvalid("id"))
    }
}

/// An account user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountUser {
    pub id: AccountUserId,
    pub account: AccountId,
    pub login: Login,
    pub is_owner: bool,
    pub can_manage_account: bool,
    pub locked: bool,
    pub created: Timestamp,
    /// The last sign-in to the Access page (API calls with HTTP Basic do not count).
    pub last_sign_in: Option<Timestamp>,
}

/// Why an account user may not be removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protected {
    /// The owner stays, with "Can manage account", as long as the account.
    Owner,
    /// Nobody removes themselves.
    Yourself,
}

impl AccountUser {
    /// What keeps `actor` (`None`: the operator) from removing this user, if anything.
    pub fn protected_from(&self, actor: Option<&Login>) -> Option<Protected> {
        if self.is_owner {
            Some(Protected::Owner)
        } else if actor == Some(&self.login) {
            Some(Protected::Yourself)
        } else {
            None
        }
    }

    /// Whether this user may be given `can_manage_account`: the owner never loses it.
    pub fn check_permission_change(&self, can_manage_account: bool) -> Result<()> {
        match self.is_owner && !can_manage_account {
            true => Err(Error::ParameterInvalid("canManageAccount")),
            false => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(login: &str, is_owner: bool) -> AccountUser {
        AccountUser {
            id: AccountUserId(1),
            account: AccountId(1),
            login: Login::parse(login, "email").unwrap(),
            is_owner,
            can_manage_account: true,
            locked: false,
            created: Timestamp(0),
            last_sign_in: None,
        }
    }

    #[test]
    fn the_owner_and_oneself_are_protected_from_removal() {
        let owner = user("owner@example.com", true);
        let clerk = user("clerk@example.com", false);
        assert_eq!(owner.protected_from(None), Some(Protected::Owner));
        assert_eq!(
            clerk.protected_from(Some(&clerk.login)),
            Some(Protected::Yourself)
        );
        assert_eq!(clerk.protected_from(Some(&owner.login)), None);
        assert_eq!(clerk.protected_from(None), None);
    }

    #[test]
    fn the_owner_keeps_can_manage_account() {
        let owner = user("owner@example.com", true);
        assert_eq!(
            owner.check_permission_change(false),
            Err(Error::ParameterInvalid("canManageAccount"))
        );
        assert_eq!(owner.check_permission_change(true), Ok(()));
        assert_eq!(
            user("clerk@example.com", false).check_permission_change(false),
            Ok(())
        );
    }

    #[test]
    fn an_account_name_is_trimmed_bounded_and_storable() {
        assert_eq!(AccountName::parse("  Acme ").unwrap().as_str(), "Acme");
        for refused in ["", "   ", "Ac\u{1}me", &"x".repeat(256)] {
            assert_eq!(
                AccountName::parse(refused),
                Err(Error::ParameterInvalid("name")),
                "{refused:?}"
            );
        }
        assert!(AccountName::parse(&"x".repeat(255)).is_ok());
    }
}
