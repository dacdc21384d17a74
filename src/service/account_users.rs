//! The account's users (the people who sign in to it), managed alike from the Access page's
//! Users tab and from the CLI: both go through these functions, which hold the rules (the
//! owner keeps the permission and stays; nobody removes themselves) and record every change.

use super::Gateway;
use super::accounts::{operator, resolve_account};
use crate::domain::{
    AccountId, AccountUser, AccountUserId, Audit, Error, Login, Manager, NewAccountUser, Password,
    PasswordOwner, Result,
};

/// Who changes an account's users, and which account: the operator (the CLI, any account) or
/// a manager signed in to the page (their own account only).
pub struct Admin<'a> {
    account: AccountId,
    /// `None` for the operator, who is no account user and so never removes themselves.
    actor: Option<&'a Login>,
    audit: Audit,
}

impl<'a> Admin<'a> {
    pub fn manager(manager: &'a Manager) -> Admin<'a> {
        Admin {
            account: manager.principal.account,
            actor: Some(&manager.principal.login),
            audit: manager.audit(),
        }
    }

    /// The operator on the account named, or on the first one.
    pub fn operator(gateway: &Gateway, account: Option<AccountId>) -> Result<Admin<'static>> {
        Ok(Admin {
            account: resolve_account(gateway, account)?,
            actor: None,
            audit: operator(),
        })
    }

    pub fn account(&self) -> AccountId {
        self.account
    }

    /// The login acting, if an account user's.
    pub fn actor(&self) -> Option<&Login> {
        self.actor
    }
}

/// The operator on the account user with this email (and that user), for the CLI's commands
/// that name one.
pub fn operator_on(gateway: &Gateway, email: &str) -> Result<(Admin<'static>, AccountUser)> {
    let login = Login::parse(email, "email")?;
    let user = gateway
        .store
        .account_user_by_login(&login)?
        .ok_or(Error::ParameterInvalid("email"))?;
    let admin = Admin::operator(gateway, Some(user.account))?;
    Ok((admin, user))
}

/// The account's users, the owner first.
pub fn list_account_users(gateway: &Gateway, admin: &Admin) -> Result<Vec<AccountUser>> {
    gateway.store.account_users(admin.account)
}

/// The account's user with this id; another account's is `ParameterInvalid("id")`, as one
/// that does not exist.
pub fn get_account_user(
    gateway: &Gateway,
    admin: &Admin,
    id: AccountUserId,
) -> Result<AccountUser> {
    gateway
        .store
        .account_user(admin.account, id)?
        .ok_or(Error::ParameterInvalid("id"))
}

/// An account user to add, as given: the email, the password (and its confirmation, when
/// one was asked for) and the permission. No `Debug`: it holds passwords.
pub struct NewUserInput<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub confirm_password: Option<&'a str>,
    pub can_manage_account: bool,
}

/// Adds an account user to the admin's account.
pub fn add_account_user(gateway: &Gateway, admin: &Admin, input: &NewUserInput) -> Result<Login> {
    let login = Login::parse(input.email, "email")?;
    let password = account_password(
        gateway,
        admin,
        &login,
        input.password,
        input.confirm_password,
    )?;
    gateway.store.add_account_user(
        &NewAccountUser {
            account: admin.account,
            login: login.clone(),
            password_hash: gateway.hasher.hash(&password)?,
            can_manage_account: input.can_manage_account,
        },
        &admin.audit,
    )?;
    Ok(login)
}

/// Gives or takes "Can manage account"; the owner keeps it.
pub fn set_can_manage_account(
    gateway: &Gateway,
    admin: &Admin,
    id: AccountUserId,
    can_manage_account: bool,
) -> Result<AccountUser> {
    let user = get_account_user(gateway, admin, id)?;
    user.check_permission_change(can_manage_account)?;
    found(gateway.store.set_can_manage_account(
        admin.account,
        id,
        can_manage_account,
        &admin.audit,
    )?)?;
    Ok(user)
}

/// Sets an account user's password; it takes effect on the next sign-in or call.
pub fn set_account_user_password(
    gateway: &Gateway,
    admin: &Admin,
    id: AccountUserId,
    password: &str,
    confirm_password: Option<&str>,
) -> Result<AccountUser> {
    let user = get_account_user(gateway, admin, id)?;
    let password = account_password(gateway, admin, &user.login, password, confirm_password)?;
    let hash = gateway.hasher.hash(&password)?;
    found(
        gateway
            .store
            .set_account_user_password(admin.account, id, &hash, &admin.audit)?,
    )?;
    Ok(user)
}

/// Clears the lock that too many wrong passwords set.
pub fn unlock_account_user(
    gateway: &Gateway,
    admin: &Admin,
    id: AccountUserId,
) -> Result<AccountUser> {
    let user = get_account_user(gateway, admin, id)?;
    found(
        gateway
            .store
            .unlock_account_user(&user.login, &admin.audit)?,
    )?;
    Ok(user)
}

/// Removes an account user, who is signed out at once; never the owner, never oneself.
pub fn remove_account_user(
    gateway: &Gateway,
    admin: &Admin,
    id: AccountUserId,
) -> Result<AccountUser> {
    let user = get_account_user(gateway, admin, id)?;
    if user.protected_from(admin.actor).is_some() {
        return Err(Error::ParameterInvalid("user"));
    }
    found(
        gateway
            .store
            .remove_account_user(admin.account, id, &admin.audit)?,
    )?;
    Ok(user)
}

/// The password policy for an account user of the admin's account.
fn account_password(
    gateway: &Gateway,
    admin: &Admin,
    login: &Login,
    password: &str,
    confirm_password: Option<&str>,
) -> Result<Password> {
    let account = gateway.store.account(admin.account)?;
    let owner = PasswordOwner {
        login,
        account_name: &account.name,
    };
    Password::parse(password, confirm_password, &owner)
}

/// A change that found no row: the user went away since it was read.
fn found(changed: bool) -> Result<()> {
    changed.then_some(()).ok_or(Error::ParameterInvalid("id"))
}
