//! One `authenticate()` for every adapter: Basic and UsernameToken credentials both end here.

mod credentials;
mod hasher;
mod usage;

pub use credentials::Credentials;
pub use hasher::PasswordHasher;
pub use usage::UsageMeter;

use crate::domain::{Error, Principal, Result, Role, Timestamp};
use crate::service::Gateway;

/// Unknown login, wrong password, disabled or locked user: all the same `InvalidLogin`, and
/// all after one bcrypt verification. Runs on a blocking thread.
pub fn authenticate(gateway: &Gateway, credentials: &Credentials) -> Result<Principal> {
    let Some(stored) = gateway.store.credential(credentials.login.trim())? else {
        gateway.hasher.verify_decoy(&credentials.password);
        return Err(Error::InvalidLogin);
    };
    let password_matches = gateway
        .hasher
        .verify(&credentials.password, &stored.password_hash);
    if !password_matches || !stored.may_authenticate {
        return Err(Error::InvalidLogin);
    }
    if let Role::ApiUser(id) = stored.principal.role {
        let now = Timestamp::now();
        gateway.usage.record(id, now);
        gateway.store.record_api_user_use(id, now)?;
    }
    Ok(stored.principal)
}
