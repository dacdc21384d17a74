use super::account::AccountId;
use super::api_user::ApiUserId;
use super::audit::{Audit, Origin};
use super::error::{Error, Result};
use super::login::Login;
use super::time::Timestamp;

/// Who is calling, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account: AccountId,
    pub login: Login,
    pub role: Role,
}

/// An authenticated principal and where its call came from: what every use case receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal: Principal,
    pub origin: Origin,
}

/// A caller who may manage its account (the owner, or an account user with "Can manage
/// account"). The API-user and audit use cases take one, so none of them can run without the
/// check; adapters ask for it right after authentication, before they read the call's
/// fields, so that a caller without the permission hears that first.
#[derive(Debug)]
pub struct Manager<'a>(&'a Caller);

impl std::ops::Deref for Manager<'_> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        self.0
    }
}

impl Caller {
    /// This caller as a manager of its account, or `PermissionDenied`.
    pub fn manager(&self) -> Result<Manager<'_>> {
        self.principal.require_manage_account()?;
        Ok(Manager(self))
    }

    /// The audit context of a change this caller makes now.
    pub fn audit(&self) -> Audit {
        Audit {
            actor: self.principal.login.to_string(),
            origin: self.origin.clone(),
            at: Timestamp::now(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    AccountUser { can_manage_account: bool },
    ApiUser(ApiUserId),
}

impl Principal {
    /// The permission rule of the contract: the owner, or an account user with
    /// "Can manage account", may manage API users.
    pub fn require_manage_account(&self) -> Result<()> {
        match self.role {
            Role::Owner
            | Role::AccountUser {
                can_manage_account: true,
            } => Ok(()),
            Role::AccountUser {
                can_manage_account: false,
            }
            | Role::ApiUser(_) => Err(Error::PermissionDenied),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            account: AccountId(1),
            login: Login::parse("someone@example.com", "email").unwrap(),
            role,
        }
    }

    #[test]
    fn owner_and_managers_may_manage_others_may_not() {
        assert!(principal(Role::Owner).require_manage_account().is_ok());
        let manager = Role::AccountUser {
            can_manage_account: true,
        };
        assert!(principal(manager).require_manage_account().is_ok());
        let plain = Role::AccountUser {
            can_manage_account: false,
        };
        assert_eq!(
            principal(plain).require_manage_account(),
            Err(Error::PermissionDenied)
        );
        assert_eq!(
            principal(Role::ApiUser(ApiUserId(3))).require_manage_account(),
            Err(Error::PermissionDenied)
        );
    }

    #[test]
    fn only_a_caller_who_may_manage_becomes_a_manager() {
        let caller = |role| Caller {
            principal: principal(role),
            origin: Origin::cli(),
        };
        let owner = caller(Role::Owner);
        assert_eq!(owner.manager().unwrap().principal.role, Role::Owner);
        let plain = caller(Role::AccountUser {
            can_manage_account: false,
        });
        assert_eq!(plain.manager().unwrap_err(), Error::PermissionDenied);
    }
}
