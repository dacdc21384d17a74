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
mod in_process_meter;
mod meter;
mod migrate_data;
mod postgres;
mod sessions;
mod sqlite;

pub use accounts::AccountStore;
pub use api_users::ApiUserStore;
pub use audit::AuditStore;
pub use credentials::{
    Attempt, AttemptId, CredentialStore, LockoutRule, SLOT_HELD_AT_MOST_SECONDS, StoredCredential,
};
pub use in_process_meter::InProcessMeter;
pub use meter::{Admission, CallLimit, CallLimits, FailureLimit, Meter, Standing};
pub use migrate_data::{Count, MigrateDataError, migrate_data};
pub use sessions::{NewWebSession, WebSession, WebSessionStore};

use crate::config::StoreSettings;
use crate::domain::{Account, AccountId, ApiUserId, Login, Result, Role, Timestamp};
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
    /// The counters of rate limits and failed logins, shared wherever the store is: in this
    /// process for SQLite (one instance), in the database for PostgreSQL.
    fn meter(&self) -> &dyn Meter;
    /// What authentication reads before it checks a password, at `at`: whether the client's
    /// `address` is refused for its failed logins; if not, the credential of `login`; and for
    /// an API user who may authenticate, its call judged against its limit ahead of the check
    /// (counted when admitted: a check that fails gives it back with `Meter::release_call`).
    /// PostgreSQL reads it all, and counts the call, in one statement.
    fn read_for_call(
        &self,
        login: &Login,
        address: Option<&str>,
        at: Timestamp,
        limits: CallLimits,
    ) -> Result<CallRead> {
        let meter = self.meter();
        let blocked = match address {
            Some(address) => meter.address_blocked_for(address, at, limits.failures)?,
            None => None,
        };
        if blocked.is_some() {
            return Ok(CallRead::blocked(blocked));
        }
        let credential = self.credential(login)?;
        let admission = match &credential {
            Some(stored) if stored.may_authenticate => match stored.principal.role {
                Role::ApiUser(id) => {
                    let limit = limits.for_scheme(stored.tiered_rate_limit);
                    Some(meter.admit_call(id, at, limit)?)
                }
                Role::Owner | Role::AccountUser { .. } => None,
            },
            _ => None,
        };
        Ok(CallRead {
            address_blocked_for: None,
            credential,
            admission,
        })
    }
    /// What account info shows: the account, and for the API user `user` its calls over the
    /// last hour at `at` (0 for anyone else). PostgreSQL reads both in one statement.
    fn account_with_calls(
        &self,
        account: AccountId,
        user: Option<ApiUserId>,
        at: Timestamp,
    ) -> Result<(Account, u32)> {
        let account = self.account(account)?;
        let calls = match user {
            Some(id) => self.meter().calls_in_last_hour(id, at)?,
            None => 0,
        };
        Ok((account, calls))
    }
    /// The connection pool's use now, for the metrics.
    fn pool_use(&self) -> PoolUse;
    /// Whether a point read would be answered at once, without a network round trip or a
    /// wait for a connection: an embedded database with an idle connection. Such a read may
    /// run on an async worker, where a thread hop would cost more than the read.
    fn answers_at_once(&self) -> bool;
}

/// What `Store::read_for_call` read.
#[derive(Debug, Clone)]
pub struct CallRead {
    /// Seconds until the client's address may try again, when its failures reach the limit;
    /// then nothing else was read.
    pub address_blocked_for: Option<u32>,
    pub credential: Option<StoredCredential>,
    /// An API user's call, admitted (and counted) or refused by its rate limit.
    pub admission: Option<Admission>,
}

impl CallRead {
    /// An address refused for `wait` seconds (or none), nothing read.
    pub fn blocked(wait: Option<u32>) -> CallRead {
        CallRead {
            address_blocked_for: wait,
            credential: None,
            admission: None,
        }
    }
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
