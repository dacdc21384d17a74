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
use crate::domain::{Account, AccountId, ApiUserId, Audit, Error, Login, Result, Timestamp};
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
            .build(Manager::new(PostgresConnectionManager::new(config, NoTls)))
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
    /// rolls it back. A BEGIN that finds the connection lost has run nothing: the transaction
    /// starts on another connection. Nothing is sent again once `work` has begun, and never a
    /// COMMIT whose answer was lost.
    fn write<T>(&self, work: impl FnOnce(&mut Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let began = conn.transaction();
        if matches!(&began, Err(error) if connection_lost(error)) {
            drop(began);
            // Back in the pool first, so that the pool knows of the loss (see `connection`).
            drop(conn);
            return committed(self.connection()?.transaction(), work);
        }
        committed(began, work)
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

    /// Sends one of the statements every call sends, outside a transaction, on a connection
    /// that keeps its prepared statements (see `connection`): reads, and authentication's read
    /// of a call. When it fails because the connection is lost (`connection_lost`), `send`
    /// runs once more on another connection: a session the server ended while the connection
    /// sat in the pool costs the call nothing. A read commits nothing. Authentication's read
    /// writes one thing, the call's count: were the first sending lost after it committed (the
    /// server dying between running it and answering), the call would be counted twice, the
    /// same one call too many as when that call fails without the retry.
    fn statement<T>(
        &self,
        send: impl FnMut(&mut Connection) -> std::result::Result<T, ::postgres::Error>,
    ) -> Result<T> {
        self.statement_on(self.connection()?, send)
    }

    /// `statement` on the connection `first`.
    fn statement_on<T>(
        &self,
        mut first: r2d2::PooledConnection<Manager>,
        mut send: impl FnMut(&mut Connection) -> std::result::Result<T, ::postgres::Error>,
    ) -> Result<T> {
        match send(&mut first) {
            Err(error) if connection_lost(&error) => {
                // Back in the pool first, so that the pool knows of the loss (see `connection`).
                drop(first);
                send(&mut *self.connection()?).map_err(storage_error)
            }
            done => done.map_err(storage_error),
        }
    }
}

/// Whether `error` says the connection is gone: closed, an I/O failure, or the server's FATAL
/// error ending the session (a restart, `pg_terminate_backend`).
fn connection_lost(error: &::postgres::Error) -> bool {
    let fatal = error
        .as_db_error()
        .and_then(|db| db.parsed_severity())
        .is_some_and(|severity| severity == ::postgres::error::Severity::Fatal);
    fatal
        || error.is_closed()
        || std::error::Error::source(error).is_some_and(|source| source.is::<std::io::Error>())
}

/// `work` in the transaction `began` (read committed), committed when it succeeds; an error
/// rolls it back.
fn committed<T>(
    began: std::result::Result<Transaction, ::postgres::Error>,
    work: impl FnOnce(&mut Transaction) -> Result<T>,
) -> Result<T> {
    let mut tx = began.map_err(storage_error)?;
    let value = work(&mut tx)?;
    tx.commit().map_err(storage_error)?;
    Ok(value)
}

impl Store for PostgresStore {
    fn ping(&self) -> Result<()> {
        self.statement(|conn| {
            conn.query_typed_one("SELECT EXISTS (SELECT 1 FROM accounts)", &[])
                .map(|_| ())
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
        self.read_for_call_in_one_statement(login, address, at, limits)
    }

    fn account_with_calls(
        &self,
        account: AccountId,
        user: Option<ApiUserId>,
        at: Timestamp,
    ) -> Result<(Account, u32)> {
        self.account_with_calls_at_once(account, user, at)
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
        return match connection_lost(&error) {
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
        let during = store.ping();
        assert!(matches!(during, Err(Error::Unavailable(_))), "{during:?}");
        cluster.start_again();
        let after = store.ping();
        assert!(
            after.is_ok(),
            "the pool replaces the lost connections: {after:?}"
        );
    }

    /// Ends the sessions of `url`'s database but the asker's, and waits until they are gone.
    fn end_sessions(url: &str) -> usize {
        let mut admin = Config::connect(&url.parse().unwrap(), NoTls).unwrap();
        admin
            .query(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .unwrap()
            .len()
    }

    #[test]
    fn a_statement_on_a_session_the_server_ended_is_sent_again_on_another() {
        let (url, store) = fresh();
        let held = store.connection().unwrap();
        assert!(end_sessions(&url) > 0);
        let mut sent = 0;
        let answer = store.statement_on(held, |conn| {
            sent += 1;
            conn.query_typed_one("SELECT 1", &[])
                .map(|row| row.get::<_, i32>(0))
        });
        assert_eq!(answer.unwrap(), 1);
        assert_eq!(sent, 2, "once on the ended session, once on a new one");
    }

    #[test]
    fn a_statement_that_fails_otherwise_is_sent_once() {
        let store = fresh().1;
        let mut sent = 0;
        let answer = store.statement(|conn| {
            sent += 1;
            conn.query_typed_one("SELECT nonsense", &[]).map(drop)
        });
        assert!(matches!(answer, Err(Error::Unknown(_))), "{answer:?}");
        assert_eq!(sent, 1);
    }

    #[test]
    fn a_write_after_the_server_ended_the_pools_sessions_is_made() {
        let (url, store) = fresh();
        store.ping().unwrap();
        assert!(end_sessions(&url) > 0);
        store
            .write(|tx| {
                tx.execute("INSERT INTO logins (login) VALUES ('a@example.com')", &[])
                    .map_err(storage_error)
            })
            .unwrap();
        let stored = store.run(|conn| {
            conn.query_one("SELECT COUNT(*) FROM logins", &[])
                .map(|row| row.get::<_, i64>(0))
                .map_err(storage_error)
        });
        assert_eq!(stored.unwrap(), 1);
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
