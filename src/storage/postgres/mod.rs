//! The PostgreSQL backend, for several gateway instances on one database: a pool of
//! synchronous connections (the `Store` contract is synchronous, and the gateway calls it on
//! blocking threads), a transaction for every write, and the one mapping of PostgreSQL's
//! errors. Each topic of the `Store` contract has its own file.
//!
//! The `postgres` crate runs each connection on a Tokio runtime of its own, which panics when
//! entered from an async thread: open this store, and drop it, only where blocking is allowed
//! (`ClosingPool` takes care of the drop).

mod accounts;
mod api_users;
mod audit;
mod connection;
mod credentials;
pub(super) mod import;
mod meter;
mod migrations;
mod sessions;
#[cfg(test)]
pub(crate) mod test_cluster;

use super::audit::{Event, recorded};
use super::checkouts::CheckoutClock;
use super::{CallLimits, CallRead, Meter, PoolUse, Store};
use crate::domain::{Audit, Error, Login, Result, Timestamp};
use ::postgres::{Client, Config, NoTls, Transaction};
use audit::record_event;
use connection::{Connection, Manager};
use r2d2_postgres::PostgresConnectionManager;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

const POOL_SIZE: u32 = 8;
/// How long a call waits for a connection before it is refused as unavailable.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PostgresStore {
    pool: ClosingPool,
    /// When this instance next sweeps the meter's old buckets, in seconds.
    next_sweep: AtomicI64,
    checkouts: CheckoutClock,
}

/// The pool, closed on a thread of its own: a connection's runtime cannot be shut down on an
/// async worker thread, which is where a server drops its store.
struct ClosingPool(Option<r2d2::Pool<Manager>>);

impl Drop for ClosingPool {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take() {
            // A panic while closing is the closing thread's alone; nothing is left to undo.
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

impl PostgresStore {
    /// Connects to the database `url` names and brings its schema up to date. Each connection
    /// the pool hands out is checked first, so that connections lost while the database was
    /// away are replaced instead of failing a call.
    pub fn open(url: &str) -> Result<PostgresStore> {
        let config = connection_config(url)?;
        let mut first = config.connect(NoTls).map_err(storage_error)?;
        migrations::apply(&mut first).map_err(storage_error)?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(CONNECTION_TIMEOUT)
            .build(Manager(PostgresConnectionManager::new(config, NoTls)))
            .map_err(|e| Error::Unavailable(format!("no database connection: {e}")))?;
        Ok(PostgresStore {
            pool: ClosingPool(Some(pool)),
            next_sweep: AtomicI64::new(0),
            checkouts: CheckoutClock::default(),
        })
    }

    fn connection(&self) -> Result<r2d2::PooledConnection<Manager>> {
        let pool = self
            .pool
            .0
            .as_ref()
            .expect("the pool lives until the store drops");
        self.checkouts
            .time(|| pool.get())
            .map_err(|e| Error::Unavailable(format!("no database connection: {e}")))
    }

    /// Runs `work` in a transaction (read committed) and commits it when it succeeds; an error
    /// rolls it back.
    fn write<T>(&self, work: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let mut tx = conn.transaction().map_err(storage_error)?;
        let value = work(&mut tx)?;
        tx.commit().map_err(storage_error)?;
        Ok(value)
    }

    /// Runs an audited change: `work` makes it and returns the event that records it, written
    /// in the same transaction (see `recorded`).
    fn write_audited<T, E: Into<Option<Event>>>(
        &self,
        audit: &Audit,
        work: impl FnOnce(&mut Transaction) -> Result<(T, E)>,
    ) -> Result<T> {
        self.write(|tx| {
            let change = work(tx)?;
            recorded(change, |event| record_event(tx, audit, event))
        })
    }

    /// Runs `work` on a connection outside any transaction: for reads, and for writes of one
    /// statement, which PostgreSQL makes atomic by itself.
    fn run<T>(&self, work: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        work(&mut **self.connection()?)
    }

    /// Runs `work` on a connection that keeps its prepared statements (see `connection`).
    fn run_prepared<T>(&self, work: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        work(&mut *self.connection()?)
    }
}

impl Store for PostgresStore {
    fn ping(&self) -> Result<()> {
        self.run(|conn| {
            conn.query_one("SELECT EXISTS (SELECT 1 FROM accounts)", &[])
                .map(|_| ())
                .map_err(storage_error)
        })
    }

    fn meter(&self) -> &dyn Meter {
        self
    }

    fn read_for_call(
        &self,
        login: &Login,
        address: Option<&str>,
        at: Timestamp,
        limits: CallLimits,
    ) -> Result<CallRead> {
        self.read_for_call_at_once(login, address, at, limits)
    }

    fn pool_use(&self) -> PoolUse {
        self.checkouts
            .pool_use(self.pool.0.as_ref().map(r2d2::Pool::state))
    }

    fn answers_at_once(&self) -> bool {
        false
    }
}

/// The connection settings a database URL gives.
fn connection_config(url: &str) -> Result<Config> {
    url.parse()
        .map_err(|e| Error::Unknown(format!("the database URL is not valid: {}", described(&e))))
}

/// The one mapping of PostgreSQL failures to the catalogue. A database that cannot be reached
/// or was lost (refused, closed, I/O), one that refuses connections or writes for now (shut
/// down, read-only, disk full, out of memory or connections) and a transaction that lost a
/// race it may win when tried again (serialization failure, deadlock) are `Unavailable` (503);
/// anything else is `Unknown`. The cause, with the SQLSTATE, is for the log only.
fn storage_error(error: ::postgres::Error) -> Error {
    let Some(state) = error.code().map(|code| code.code().to_owned()) else {
        let lost = error.is_closed()
            || std::error::Error::source(&error)
                .is_some_and(|source| source.is::<std::io::Error>());
        return match lost {
            true => Error::Unavailable(described(&error)),
            false => Error::Unknown(described(&error)),
        };
    };
    let cause = format!("{} (PostgreSQL SQLSTATE {state})", described(&error));
    let clears_by_itself = ["08", "53", "57P"]
        .iter()
        .any(|class| state.starts_with(class))
        || ["25006", "40001", "40P01"].contains(&state.as_str());
    match clears_by_itself {
        true => Error::Unavailable(cause),
        false => Error::Unknown(cause),
    }
}

/// The error with what caused it: the server's message for a database error (never its
/// detail, which may repeat a row's values), else the underlying error, such as a refused
/// connection's.
fn described(error: &::postgres::Error) -> String {
    let cause = match error.as_db_error() {
        Some(db) => Some(db.message().to_owned()),
        None => std::error::Error::source(error).map(ToString::to_string),
    };
    match cause {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

/// A stored value that no longer passes its domain rule.
fn corrupt(error: Error) -> Error {
    Error::Unknown(format!("stored value is invalid: {error:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store on a fresh database of the test cluster, with the database's URL.
    fn fresh() -> (String, PostgresStore) {
        let url = test_cluster::fresh_database_url();
        let store = PostgresStore::open(&url).unwrap();
        (url, store)
    }

    /// A second store on the same database, with a pool of its own: a second instance.
    fn twin(url: &str, _: &PostgresStore) -> Option<PostgresStore> {
        Some(PostgresStore::open(url).unwrap())
    }

    mod contract {
        crate::storage::contract_tests::store_contract!(super::fresh, super::twin);
    }

    #[test]
    fn instances_starting_together_migrate_once() {
        let url = test_cluster::fresh_database_url();
        let opened: Vec<_> = std::thread::scope(|s| {
            let starts: Vec<_> = (0..3)
                .map(|_| s.spawn(|| PostgresStore::open(&url)))
                .collect();
            starts
                .into_iter()
                .map(|start| start.join().unwrap())
                .collect()
        });
        assert!(opened.iter().all(Result::is_ok));
        let mut client = Config::connect(&url.parse().unwrap(), NoTls).unwrap();
        let versions: Vec<i32> = client
            .query("SELECT version FROM schema_migrations", &[])
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        let each_once: Vec<i32> = (1..=migrations::MIGRATIONS.len() as i32).collect();
        assert_eq!(versions, each_once);
    }

    #[test]
    fn a_store_is_unavailable_while_its_database_is_down_and_recovers_when_it_returns() {
        let cluster = test_cluster::Cluster::start();
        let store = PostgresStore::open(&cluster.fresh_database_url()).unwrap();
        assert!(store.ping().is_ok());
        cluster.stop();
        assert!(matches!(store.ping(), Err(Error::Unavailable(_))));
        cluster.start_again();
        assert!(
            store.ping().is_ok(),
            "the pool replaces the lost connections"
        );
    }

    #[test]
    fn a_database_that_cannot_be_reached_is_unavailable() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let refused = PostgresStore::open(&format!("postgres://nobody@127.0.0.1:{port}/none"));
        assert!(
            matches!(refused, Err(Error::Unavailable(_))),
            "{:?}",
            refused.err()
        );
    }

    #[test]
    fn a_read_only_database_is_unavailable_and_a_broken_statement_unknown() {
        let store = fresh().1;
        let read_only = store.write(|tx| {
            tx.batch_execute("SET TRANSACTION READ ONLY")
                .map_err(storage_error)?;
            tx.execute("INSERT INTO logins (login) VALUES ('a@example.com')", &[])
                .map_err(storage_error)
        });
        assert!(
            matches!(read_only, Err(Error::Unavailable(_))),
            "{read_only:?}"
        );
        let cause = read_only.unwrap_err();
        assert!(
            cause
                .cause()
                .unwrap()
                .ends_with("(PostgreSQL SQLSTATE 25006)")
        );
        let broken = store.run(|conn| conn.execute("SELECT nonsense", &[]).map_err(storage_error));
        assert!(matches!(broken, Err(Error::Unknown(_))), "{broken:?}");
    }
}
