//! One `authenticate()` for every adapter: Basic and UsernameToken credentials both end here,
//! and so do the protections around them: lockout after wrong passwords, the per-address
//! limit on failed logins, and the API users' rate limits.

mod cache;
mod credentials;
mod hasher;
mod usage;

pub use cache::{CredentialCache, Scheme};
pub use credentials::Credentials;
pub use hasher::PasswordHasher;
pub use usage::{Standing, UsageMeter};

use crate::domain::audit::GATEWAY_ACTOR;
use crate::domain::{Audit, Caller, Error, Login, Origin, Result, Role, Timestamp};
use crate::service::Gateway;

/// One minute-bucket window of the Flat scheme: the rolling hour.
const FLAT_WINDOW_MINUTES: i64 = 60;
const TIERED_WINDOW_MINUTES: i64 = 1;
const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

/// A caller who passed authentication, with where an API user stands against its rate limit.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub caller: Caller,
    pub rate: Option<Standing>,
}

/// Unknown login, wrong password, disabled or locked user: all the same `InvalidLogin`, and
/// all after one bcrypt verification. An address with too many recent failures is refused
/// before any verification. Runs on a blocking thread.
pub fn authenticate(
    gateway: &Gateway,
    credentials: &Credentials,
    origin: Origin,
) -> Result<Authenticated> {
    let settings = &gateway.settings.protection;
    let now = Timestamp::now();
    if let Some(address) = &origin.address
        && let Some(wait) = gateway.failures.blocked_for(
            address,
            now,
            settings.failed_logins_per_address,
            settings.lockout_window_minutes,
        )
    {
        return Err(Error::ApiUsageExceeded {
            limit: settings.failed_logins_per_address,
            retry_after_seconds: wait,
        });
    }
    let Some(stored) = gateway.store.credential(credentials.login.trim())? else {
        gateway.hasher.verify_decoy(&credentials.password);
        count_address_failure(gateway, &origin, now);
        return Err(Error::InvalidLogin);
    };
    let login = &stored.principal.login;
    let verified = gateway.credentials.check(
        credentials.scheme,
        login.as_str(),
        &credentials.password,
        &stored.password_hash,
        || {
            gateway
                .hasher
                .verify(&credentials.password, &stored.password_hash)
        },
    );
    if !verified {
        count_address_failure(gateway, &origin, now);
        lock_after_failures(gateway, login, &origin, now)?;
        return Err(Error::InvalidLogin);
    }
    if !stored.may_authenticate {
        return Err(Error::InvalidLogin);
    }
    if stored.failed_logins > 0 {
        gateway.store.clear_failed_logins(login)?;
    }
    let rate = match stored.principal.role {
        Role::ApiUser(id) => {
            let (limit, window) = if stored.tiered_rate_limit {
                (settings.tiered_rate_limit_per_minute, TIERED_WINDOW_MINUTES)
            } else {
                (settings.flat_rate_limit_per_hour, FLAT_WINDOW_MINUTES)
            };
            let standing = gateway
                .usage
                .admit(&id, now, limit, window)
                .map_err(|refused| Error::ApiUsageExceeded {
                    limit: refused.limit,
                    retry_after_seconds: refused.reset_seconds,
                })?;
            // `lastUsed` is bookkeeping: a store that cannot write it (disk full, read-only
            // file) must not turn the API user's call away.
            if last_used_is_stale(stored.last_used, now)
                && let Err(error) = gateway.store.record_api_user_use(id, now)
            {
                tracing::warn!(cause = error.cause(), "lastUsed not recorded");
            }
            Some(standing)
        }
        Role::Owner | Role::AccountUser { .. } => None,
    };
    Ok(Authenticated {
        caller: Caller {
            principal: stored.principal,
            origin,
        },
        rate,
    })
}

/// `lastUsed` is rewritten at most once a minute per API user: no write on every call.
fn last_used_is_stale(last_used: Option<Timestamp>, now: Timestamp) -> bool {
    last_used.is_none_or(|at| now.seconds() - at.seconds() >= LAST_USED_RESOLUTION_SECONDS)
}

/// Counts a failed login against the client's address (refusals past the limit are not
/// counted: `blocked_for` already stopped them).
fn count_address_failure(gateway: &Gateway, origin: &Origin, now: Timestamp) {
    if let Some(address) = &origin.address {
        let settings = &gateway.settings.protection;
        let _ = gateway.failures.admit(
            address,
            now,
            settings.failed_logins_per_address,
            settings.lockout_window_minutes,
        );
    }
}

/// Counts a wrong password for an existing login and locks it at the threshold.
fn lock_after_failures(
    gateway: &Gateway,
    login: &Login,
    origin: &Origin,
    now: Timestamp,
) -> Result<()> {
    let settings = &gateway.settings.protection;
    let failures =
        gateway
            .store
            .count_failed_login(login, now, settings.lockout_window_minutes * 60)?;
    if failures >= settings.lockout_threshold {
        let audit = Audit {
            actor: GATEWAY_ACTOR.to_owned(),
            origin: origin.clone(),
            at: now,
        };
        if gateway.store.lock_login(login, &audit)? {
            tracing::warn!(
                login = login.as_str(),
                failures,
                channel = origin.channel.as_str(),
                address = origin.address,
                "login locked after too many wrong passwords"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_used_is_rewritten_at_most_once_a_minute() {
        assert!(last_used_is_stale(None, Timestamp(1_000)));
        assert!(!last_used_is_stale(
            Some(Timestamp(1_000)),
            Timestamp(1_059)
        ));
        assert!(last_used_is_stale(Some(Timestamp(1_000)), Timestamp(1_060)));
    }
}
