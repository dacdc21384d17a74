//! Storage behind one contract, `Store`, so that a server database can serve several gateway
//! instances without touching the core or the adapters. The contract is split by topic, one
//! trait per file here, with what the backends share (the audit event, stored rows read back,
//! the failure budget's rule); each backend is a folder with one file per topic and its own
//! migrations (`sqlite/` embedded, `postgres/` for several instances). SQL lives only in the
//! backends. `open` picks the backend.

mod accounts;
mod api_users;
mod audit;
mod checkouts;
#[cfg(test)]
mod contract_tests;
mod credentials;
mod postgres;
mod sessions;
mod sqlite;

pub use accounts::AccountStore;
pub use api_users::ApiUserStore;
pub use audit::AuditStore;
pub use credentials::{
    Attempt, AttemptId, CredentialStore, LockoutRule, SLOT_HELD_AT_MOST_SECONDS, StoredCredential,
};
pub use sessions::{NewWebSession, WebSession, WebSessionStore};

use crate::config::StoreSettings;
use crate::domain::Result;
use std::sync::Arc;

/// Everything the use cases need of storage. Ids of another account behave as ids that do not
/// exist. A login is unique across account users and API users, compared case-insensitively.
///
/// Every change to an API user or account user takes an `Audit` and records its audit event
/// in the same transaction as the change: no change without its event, no event without its
/// change.
pub trait Store:
    AccountStore + CredentialStore + ApiUserStore + AuditStore + WebSessionStore + Send + Sync
{
    /// Whether the database answers: a cheap read, for `/health`.
    fn ping(&self) -> Result<()>;
    /// The connection pool's use now, for the metrics.
    fn pool_use(&self) -> PoolUse;
}

/// Connections the pool holds, how many of them are lent out, and the connections taken
/// from it so far with the time spent waiting for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolUse {
    pub open: u32,
    pub in_use: u32,
    pub checkouts: u64,
    pub waited: std::time::Duration,
}

/// Opens the store the settings name, its schema brought up to date: PostgreSQL when a
/// database URL is given, else the SQLite file. PostgreSQL's client must not run on an async
/// thread: call this where blocking is allowed.
pub fn open(settings: &StoreSettings) -> Result<Arc<dyn Store>> {
    match &settings.database_url {
        Some(url) => Ok(Arc::new(postgres::PostgresStore::open(url.expose())?)),
        None => Ok(Arc::new(sqlite::SqliteStore::open(&settings.db)?)),
    }
}
