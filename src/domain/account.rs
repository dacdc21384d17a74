use super::login::Login;
use super::password::PasswordHash;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountId(pub i64);

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
