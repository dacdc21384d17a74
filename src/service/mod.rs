//! The use cases: one file per operation. Each takes the calling `Principal` and raw inputs,
//! checks permission, validates through the domain types and calls the store. Synchronous:
//! adapters run them on blocking threads.

pub mod account_info;
pub mod accounts;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod server_time;
pub mod set_password;
pub mod unlock;
pub mod update;

use crate::auth::{PasswordHasher, UsageMeter};
use crate::storage::Store;
use std::sync::Arc;

/// Everything the use cases share: the store, the hasher and the settings they obey.
pub struct Gateway {
    pub store: Arc<dyn Store>,
    pub hasher: PasswordHasher,
    pub usage: UsageMeter,
    pub settings: GatewaySettings,
}

#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// The domain of generated and caller-given API user logins.
    pub apiuser_domain: String,
    /// The public base URL, with a trailing `/`.
    pub public_url: String,
    pub flat_rate_limit_per_hour: u32,
}

/// An API user's writable fields as a caller sent them, before validation. Read-only fields
/// (`id`, `isLocked`, `created`, `lastUsed`) are not here: adapters accept and drop them, so
/// that a client may send back what it read.
#[derive(Debug, Clone, Default)]
pub struct ApiUserInput {
    pub email: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub tiered_rate_limit: Option<bool>,
    pub password: Option<String>,
    pub confirm_password: Option<String>,
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
