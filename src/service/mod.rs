//! The use cases: one file per operation, named once in `Operation`. Each takes the caller
//! (a `Manager` where the operation needs the permission to manage the account) and typed
//! inputs (`ApiUserId`, `Paging`, or a request made from the raw `ApiUserInput` by one
//! `TryFrom`), checks what only the core can (a login's domain, the password policy) and calls
//! the store. Authentication and the page's sessions are use cases too (`authenticate`,
//! `web_sessions`). Synchronous: adapters run them on blocking threads.

pub mod account_info;
pub mod account_users;
pub mod accounts;
pub mod audit_events;
pub mod authenticate;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod operation;
pub mod refusals;
pub mod server_time;
pub mod set_password;
pub mod unlock;
pub mod update;
pub mod web_sessions;

use crate::auth::{CredentialCache, PasswordHasher};
use crate::storage::Store;
use std::sync::Arc;

pub use operation::Operation;
pub use refusals::{RefusalCounts, Refusals};

/// Everything the use cases share: the store (with its meter, the rate limits' and failed
/// logins' counters), the hasher and the settings they obey.
pub struct Gateway {
    pub store: Arc<dyn Store>,
    pub hasher: PasswordHasher,
    /// Credentials bcrypt has verified, recognised on later calls without bcrypt.
    pub credentials: CredentialCache,
    /// Lockouts and rate-limit refusals so far.
    pub refusals: Refusals,
    pub settings: GatewaySettings,
}

#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// The domain of generated and caller-given API user logins.
    pub apiuser_domain: String,
    /// The public base URL, with a trailing `/`.
    pub public_url: String,
    pub protection: Protection,
    pub credential_cache: CredentialCacheLimits,
    /// How long a page session lasts after its last request (a sliding expiry).
    pub web_session_seconds: i64,
}

/// The credential cache's bounds; `Default` holds the defaults the command line documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialCacheLimits {
    /// At most this many verified credentials (0 turns the cache off).
    pub entries: usize,
    /// Each is recognised for this long after its verification.
    pub ttl_seconds: u64,
}

impl Default for CredentialCacheLimits {
    fn default() -> Self {
        CredentialCacheLimits {
            entries: 10_000,
            ttl_seconds: 300,
        }
    }
}

/// The limits that protect credentials and the service; `Default` holds the defaults the
/// command line documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// Wrong passwords within the window that lock a login.
    pub lockout_threshold: u32,
    /// The window of the lockout count and of the per-address limit, 1 to 60 minutes.
    pub lockout_window_minutes: i64,
    /// Failed logins from one client address within the window before the address is
    /// refused until the window moves on.
    pub failed_logins_per_address: u32,
    /// Calls per rolling hour of an API user on the Flat scheme.
    pub flat_rate_limit_per_hour: u32,
    /// Calls per minute of an API user on the Tiered scheme.
    pub tiered_rate_limit_per_minute: u32,
}

impl Default for Protection {
    fn default() -> Self {
        Protection {
            lockout_threshold: 5,
            lockout_window_minutes: 15,
            failed_logins_per_address: 50,
            flat_rate_limit_per_hour: 2000,
            tiered_rate_limit_per_minute: 600,
        }
    }
}

/// An API user's writable fields as a caller sent them, before validation. Read-only fields
/// (`id`, `isLocked`, `created`, `lastUsed`) are not here: adapters accept and drop them, so
/// that a client may send back what it read. Its `Debug` leaves the passwords out.
#[derive(Clone, Default)]
pub struct ApiUserInput {
    pub email: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub tiered_rate_limit: Option<bool>,
    pub password: Option<String>,
    pub confirm_password: Option<String>,
}

impl std::fmt::Debug for ApiUserInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("ApiUserInput")
            .field("email", &self.email)
            .field("description", &self.description)
            .field("status", &self.status)
            .field("tiered_rate_limit", &self.tiered_rate_limit)
            .field("password", &given(&self.password))
            .field("confirm_password", &given(&self.confirm_password))
            .finish()
    }
}

impl ApiUserInput {
    /// The email as given, with an empty value counting as not given.
    fn email(&self) -> Option<&str> {
        self.email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_user_input_never_prints_its_passwords() {
        let input = ApiUserInput {
            description: Some("Magento shop".into()),
            password: Some("Magento#2026shop".into()),
            confirm_password: Some("Magento#2026shop".into()),
            ..Default::default()
        };
        let printed = format!("{input:?}");
        assert!(printed.contains("Magento shop") && printed.contains("<redacted>"));
        assert!(!printed.contains("2026shop"), "{printed}");
    }
}
