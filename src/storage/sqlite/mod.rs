//! The embedded SQLite backend: a small connection pool, WAL, and `BEGIN IMMEDIATE` for every
//! write so that concurrent writers wait on the busy timeout instead of failing. This file
//! holds the pool and its transactions, the tuning and the one mapping of SQLite's errors;
//! each topic of the `Store` contract has its own file.

mod accounts;
mod api_users;
mod audit;
mod credentials;
pub(super) mod export;
mod migrations;
mod sessions;

use super::checkouts::CheckoutClock;
use super::{InProcessMeter, Meter, PoolUse, Store};
use crate::domain::{Audit, Error, Result};
use crate::storage::audit::{Event, recorded};
use audit::record_event;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, ErrorCode, MAIN_DB, Row, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

const POOL_SIZE: u32 = 8;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct SqliteStore {
    pool: r2d2::Pool<SqliteConnectionManager>,
    /// A SQLite file serves one gateway instance: its counters are this process's.
    meter: InProcessMeter,
    checkouts: CheckoutClock,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    /// WAL mode is set and the schema migrated on one connection first: the pool opens its
    /// connections in parallel, and a journal-mode change racing between them fails with
    /// "database is locked" whatever the busy timeout.
    ///
    /// A file that cannot be written is refused here: SQLite would open it read-only, and
    /// every connection of the pool would refuse writes for good, even once the file is
    /// writable again.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let mut first = Connection::open(path).map_err(storage_error)?;
        if first.is_readonly(MAIN_DB).map_err(storage_error)? {
            return Err(Error::Unavailable(format!(
                "the database file {} cannot be written",
                path.display()
            )));
        }
        tune(&mut first).map_err(storage_error)?;
        first
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(storage_error)?;
        migrations::apply(&mut first).map_err(storage_error)?;
        drop(first);
        let manager = SqliteConnectionManager::file(path).with_init(tune);
        // No validation query on every checkout: a local file does not drop its connection.
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .test_on_check_out(false)
            .build(manager)
            .map_err(Error::unknown)?;
        Ok(SqliteStore {
            pool,
            meter: InProcessMeter::default(),
            checkouts: CheckoutClock::default(),
        })
    }

    fn connection(&self) -> Result<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.checkouts
            .time(|| self.pool.get())
            .map_err(|e| Error::Unavailable(format!("no database connection: {e}")))
    }

    /// Runs `work` in a `BEGIN IMMEDIATE` transaction and commits it when it succeeds.
    fn write<T>(&self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(storage_error)?;
        let value = work(&tx)?;
        tx.commit().map_err(storage_error)?;
        Ok(value)
    }

    /// Runs an audited change: `work` makes it and returns the event that records it, written
    /// in the same transaction (see `recorded`).
    fn write_audited<T, E: Into<Option<Event>>>(
        &self,
        audit: &Audit,
        work: impl FnOnce(&Transaction) -> Result<(T, E)>,
    ) -> Result<T> {
        self.write(|tx| {
            let change = work(tx)?;
            recorded(change, |event| record_event(tx, audit, event))
        })
    }

    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        work(&*self.connection()?)
    }
}

impl Store for SqliteStore {
    fn ping(&self) -> Result<()> {
        self.read(|conn| {
            cached_row(conn, "SELECT EXISTS (SELECT 1 FROM accounts)", [], |_| {
                Ok(())
            })
            .map_err(storage_error)
        })
    }

    fn meter(&self) -> &dyn Meter {
        &self.meter
    }

    fn pool_use(&self) -> PoolUse {
        self.checkouts.pool_use(Some(self.pool.state()))
    }

    fn answers_at_once(&self) -> bool {
        self.pool.state().idle_connections > 0
    }
}

/// The one mapping of SQLite failures to the catalogue. Conditions of the disk or the file that
/// clear without a restart once an operator acts (disk full, file read-only, failing I/O, file
/// that cannot be opened, a lock held past the busy timeout) are `Unavailable` (503); anything
/// else is `Unknown`. The cause, with SQLite's codes, is for the log only.
fn storage_error(error: rusqlite::Error) -> Error {
    let cause = match &error {
        rusqlite::Error::SqliteFailure(failure, _) => format!(
            "{error} (SQLite {:?}, extended code {})",
            failure.code, failure.extended_code
        ),
        _ => error.to_string(),
    };
    match error.sqlite_error_code() {
        Some(
            ErrorCode::DiskFull
            | ErrorCode::ReadOnly
            | ErrorCode::SystemIoFailure
            | ErrorCode::CannotOpen
            | ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked,
        ) => Error::Unavailable(cause),
        _ => Error::Unknown(cause),
    }
}

/// Per-connection settings for a server: wait for locks, and durable enough with WAL.
fn tune(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;",
    )
}

/// A stored value that no longer passes its domain rule.
fn corrupt(error: Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(format!("stored value is invalid: {error:?}").into())
}

/// `query_row` through the connection's statement cache: the reads on every call skip
/// parsing their SQL.
fn cached_row<T>(
    conn: &Connection,
    sql: &str,
    parameters: impl rusqlite::Params,
    read: impl FnOnce(&Row) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.prepare_cached(sql)?.query_row(parameters, read)
}

/// Every row of a query, read through the connection's statement cache.
fn cached_rows<T>(
    conn: &Connection,
    sql: &str,
    parameters: impl rusqlite::Params,
    read: impl FnMut(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.query_map(parameters, read)?.collect())
        .map_err(storage_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store on a fresh file, with the directory that holds it.
    fn fresh() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("test.db")).unwrap();
        (dir, store)
    }

    /// One SQLite file serves one gateway instance, whose counters are its process's: the
    /// second handle is the same store.
    fn twin(_: &tempfile::TempDir, _: &SqliteStore) -> Option<SqliteStore> {
        None
    }

    mod contract {
        crate::storage::contract_tests::store_contract!(super::fresh, super::twin);
    }

    #[test]
    fn conditions_an_operator_can_clear_are_unavailable_and_the_rest_unknown() {
        use rusqlite::ffi;
        let failure =
            |code| storage_error(rusqlite::Error::SqliteFailure(ffi::Error::new(code), None));
        for code in [
            ffi::SQLITE_FULL,
            ffi::SQLITE_READONLY,
            ffi::SQLITE_IOERR_WRITE,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_BUSY,
            ffi::SQLITE_LOCKED,
        ] {
            assert!(matches!(failure(code), Error::Unavailable(_)), "{code}");
        }
        for code in [
            ffi::SQLITE_CORRUPT,
            ffi::SQLITE_CONSTRAINT,
            ffi::SQLITE_ERROR,
        ] {
            assert!(matches!(failure(code), Error::Unknown(_)), "{code}");
        }
        let full = failure(ffi::SQLITE_FULL);
        assert!(
            full.cause()
                .unwrap()
                .ends_with("(SQLite DiskFull, extended code 13)")
        );
    }
}
