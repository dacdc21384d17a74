//! The embedded SQLite store: a small connection pool, WAL, and `BEGIN IMMEDIATE` for every
//! write so that concurrent writers wait on the busy timeout instead of failing.

use super::{Store, StoredCredential};
use crate::domain::audit::{Change, changed_fields, created_fields};
use crate::domain::{
    Account, AccountId, ApiUser, ApiUserChanges, ApiUserId, Audit, AuditAction, AuditEvent,
    Channel, Description, Error, Login, NewAccount, NewAccountUser, NewApiUser, Origin, Paging,
    PasswordHash, Principal, Result, Role, Status, Timestamp,
};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{
    Connection, ErrorCode, MAIN_DB, OptionalExtension, Row, Transaction, TransactionBehavior,
    params,
};
use std::path::Path;
use std::time::Duration;

const POOL_SIZE: u32 = 8;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct SqliteStore {
    pool: r2d2::Pool<SqliteConnectionManager>,
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
        Ok(SqliteStore { pool })
    }

    fn connection(&self) -> Result<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.pool
            .get()
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

    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        work(&*self.connection()?)
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

mod login_attempts;
mod migrations;
mod web_sessions;

use login_attempts::forget_login_attempts;

/// SQL: whether wrong passwords are counted for the login `?1`.
macro_rules! failures_counted {
    () => {
        "EXISTS (SELECT 1 FROM login_attempts WHERE login = ?1 AND failed = 1)"
    };
}

const API_USER_COLUMNS: &str = "id, account_id, login, description, status, tiered_rate_limit, \
                                locked, created, last_used";

fn api_user_from_row(row: &Row) -> rusqlite::Result<ApiUser> {
    let login: String = row.get(2)?;
    let description: String = row.get(3)?;
    let status: String = row.get(4)?;
    Ok(ApiUser {
        id: ApiUserId(row.get(0)?),
        account: AccountId(row.get(1)?),
        login: Login::parse(&login, "email").map_err(corrupt)?,
        description: Description::parse(&description).map_err(corrupt)?,
        status: Status::parse(&status).map_err(corrupt)?,
        tiered_rate_limit: row.get(5)?,
        locked: row.get(6)?,
        created: Timestamp(row.get(7)?),
        last_used: row.get::<_, Option<i64>>(8)?.map(Timestamp),
    })
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

fn select_api_user(conn: &Connection, account: AccountId, id: ApiUserId) -> Result<ApiUser> {
    cached_row(
        conn,
        &format!("SELECT {API_USER_COLUMNS} FROM api_users WHERE id = ?1 AND account_id = ?2"),
        params![id.0, account.0],
        api_user_from_row,
    )
    .optional()
    .map_err(storage_error)?
    .ok_or(Error::ApiUserNotFound)
}

/// Claims a login for a new principal; a taken one is `ApiUserExists`.
fn claim_login(tx: &Transaction, login: &Login) -> Result<()> {
    match tx.execute("INSERT INTO logins (login) VALUES (?1)", [login.as_str()]) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Err(Error::ApiUserExists)
        }
        Err(e) => Err(storage_error(e)),
    }
}

/// Fails with `ApiUserNotFound` when an update touched no row of this account.
fn expect_one_row(changed: usize) -> Result<()> {
    if changed == 0 {
        Err(Error::ApiUserNotFound)
    } else {
        Ok(())
    }
}

fn now() -> i64 {
    Timestamp::now().seconds()
}

/// Writes one audit event; `changes` are kept in order as `[[field, value], …]`.
fn record_event(
    tx: &Transaction,
    account: AccountId,
    audit: &Audit,
    action: AuditAction,
    target: &str,
    changes: &[Change],
) -> Result<()> {
    let changes = serde_json::to_string(changes).map_err(Error::unknown)?;
    tx.execute(
        "INSERT INTO audit_events
         (account_id, at, actor, action, target, protocol, address, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            account.0,
            audit.at.seconds(),
            audit.actor,
            action.as_str(),
            target,
            audit.origin.channel.as_str(),
            audit.origin.address,
            changes
        ],
    )
    .map_err(storage_error)?;
    Ok(())
}

fn audit_event_from_row(row: &Row) -> rusqlite::Result<AuditEvent> {
    let action: String = row.get(4)?;
    let channel: String = row.get(6)?;
    let changes: String = row.get(8)?;
    let unreadable = |what: &str| corrupt(Error::Unknown(format!("unreadable audit {what}")));
    Ok(AuditEvent {
        id: row.get(0)?,
        account: AccountId(row.get(1)?),
        at: Timestamp(row.get(2)?),
        actor: row.get(3)?,
        action: AuditAction::parse(&action).ok_or_else(|| unreadable("action"))?,
        target: row.get(5)?,
        origin: Origin {
            channel: Channel::parse(&channel).ok_or_else(|| unreadable("protocol"))?,
            address: row.get(7)?,
        },
        changes: serde_json::from_str(&changes).map_err(|_| unreadable("changes"))?,
    })
}

/// Locks the principal of `login`; `Ok(true)` when this call locked it (and recorded the
/// event), `Ok(false)` when it was locked already.
fn lock_login(tx: &Transaction, login: &Login, audit: &Audit) -> Result<bool> {
    for (table, action) in [
        ("api_users", AuditAction::ApiUserLocked),
        ("account_users", AuditAction::AccountUserLocked),
    ] {
        let account: Option<i64> = tx
            .query_row(
                &format!(
                    "UPDATE {table} SET locked = 1 WHERE login = ?1 AND locked = 0
                     RETURNING account_id"
                ),
                [login.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map_err(storage_error)?;
        if let Some(account) = account {
            record_event(tx, AccountId(account), audit, action, login.as_str(), &[])?;
            return Ok(true);
        }
    }
    Ok(false)
}

impl Store for SqliteStore {
    fn account(&self, id: AccountId) -> Result<Account> {
        self.read(|conn| {
            cached_row(
                conn,
                "SELECT a.name, u.login, a.locale, a.time_zone FROM accounts a
                 JOIN account_users u ON u.account_id = a.id AND u.is_owner = 1
                 WHERE a.id = ?1",
                [id.0],
                |row| {
                    let owner: String = row.get(1)?;
                    Ok(Account {
                        id,
                        name: row.get(0)?,
                        main_email: Login::parse(&owner, "email").map_err(corrupt)?,
                        locale: row.get(2)?,
                        time_zone: row.get(3)?,
                    })
                },
            )
            .map_err(storage_error)
        })
    }

    fn first_account(&self) -> Result<Option<AccountId>> {
        self.read(|conn| {
            cached_row(conn, "SELECT MIN(id) FROM accounts", [], |row| {
                row.get::<_, Option<i64>>(0)
            })
            .map(|id| id.map(AccountId))
            .map_err(storage_error)
        })
    }

    fn create_account(&self, new: &NewAccount, audit: &Audit) -> Result<AccountId> {
        self.write(|tx| {
            claim_login(tx, &new.owner_login)?;
            tx.execute(
                "INSERT INTO accounts (name, created) VALUES (?1, ?2)",
                params![new.name, now()],
            )
            .map_err(storage_error)?;
            let account = AccountId(tx.last_insert_rowid());
            tx.execute(
                "INSERT INTO account_users
                 (account_id, login, password_hash, is_owner, can_manage_account, created)
                 VALUES (?1, ?2, ?3, 1, 1, ?4)",
                params![
                    account.0,
                    new.owner_login.as_str(),
                    new.owner_password_hash.0,
                    now()
                ],
            )
            .map_err(storage_error)?;
            record_event(
                tx,
                account,
                audit,
                AuditAction::AccountCreated,
                new.owner_login.as_str(),
                &[("name", new.name.clone())],
            )?;
            Ok(account)
        })
    }

    fn add_account_user(&self, new: &NewAccountUser, audit: &Audit) -> Result<()> {
        self.write(|tx| {
            claim_login(tx, &new.login)?;
            tx.execute(
                "INSERT INTO account_users
                 (account_id, login, password_hash, is_owner, can_manage_account, created)
                 VALUES (?1, ?2, ?3, 0, ?4, ?5)",
                params![
                    new.account.0,
                    new.login.as_str(),
                    new.password_hash.0,
                    new.can_manage_account,
                    now()
                ],
            )
            .map_err(storage_error)?;
            record_event(
                tx,
                new.account,
                audit,
                AuditAction::AccountUserAdded,
                new.login.as_str(),
                &[("canManageAccount", new.can_manage_account.to_string())],
            )
        })
    }

    fn unlock_account_user(&self, login: &Login, audit: &Audit) -> Result<bool> {
        self.write(|tx| {
            let account: Option<i64> = tx
                .query_row(
                    "UPDATE account_users SET locked = 0 WHERE login = ?1 RETURNING account_id",
                    [login.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(storage_error)?;
            let Some(account) = account else {
                return Ok(false);
            };
            forget_login_attempts(tx, login.as_str())?;
            record_event(
                tx,
                AccountId(account),
                audit,
                AuditAction::AccountUserUnlocked,
                login.as_str(),
                &[],
            )?;
            Ok(true)
        })
    }

    fn credential(&self, login: &str) -> Result<Option<StoredCredential>> {
        // API users first: they make nearly every call.
        self.read(|conn| {
            let api_user = cached_row(
                conn,
                concat!(
                    "SELECT a.account_id, a.login, a.password_hash, a.id,
                            a.status = 'Enabled' AND a.locked = 0, ",
                    failures_counted!(),
                    ", a.tiered_rate_limit, a.last_used
                     FROM api_users a WHERE a.login = ?1"
                ),
                [login],
                |row| {
                    let role = Role::ApiUser(ApiUserId(row.get(3)?));
                    let last_used = row.get::<_, Option<i64>>(7)?.map(Timestamp);
                    credential_from(row, role, row.get(4)?, row.get(5)?, row.get(6)?, last_used)
                },
            )
            .optional()
            .map_err(storage_error)?;
            if api_user.is_some() {
                return Ok(api_user);
            }
            cached_row(
                conn,
                concat!(
                    "SELECT u.account_id, u.login, u.password_hash, u.is_owner,
                            u.can_manage_account, u.locked = 0, ",
                    failures_counted!(),
                    " FROM account_users u WHERE u.login = ?1"
                ),
                [login],
                |row| {
                    let role = if row.get(3)? {
                        Role::Owner
                    } else {
                        Role::AccountUser {
                            can_manage_account: row.get(4)?,
                        }
                    };
                    credential_from(row, role, row.get(5)?, row.get(6)?, false, None)
                },
            )
            .optional()
            .map_err(storage_error)
        })
    }

    fn replace_password_hash(
        &self,
        login: &Login,
        old: &PasswordHash,
        new: &PasswordHash,
    ) -> Result<()> {
        self.write(|tx| {
            for table in ["api_users", "account_users"] {
                tx.execute(
                    &format!(
                        "UPDATE {table} SET password_hash = ?3
                         WHERE login = ?1 AND password_hash = ?2"
                    ),
                    params![login.as_str(), old.0, new.0],
                )
                .map_err(storage_error)?;
            }
            Ok(())
        })
    }

    fn highest_password_cost(&self) -> Result<Option<u32>> {
        // bcrypt's modular crypt format: `$2b$`, the two-digit cost, `$`, salt and hash.
        self.read(|conn| {
            conn.query_row(
                "SELECT MAX(CAST(substr(password_hash, 5, 2) AS INTEGER))
                 FROM (SELECT password_hash FROM api_users
                       UNION ALL SELECT password_hash FROM account_users)",
                [],
                |row| row.get(0),
            )
            .map_err(storage_error)
        })
    }

    fn insert_api_user(&self, new: &NewApiUser, audit: &Audit) -> Result<ApiUser> {
        self.write(|tx| {
            claim_login(tx, &new.login)?;
            tx.execute(
                "INSERT INTO api_users
                 (account_id, login, description, status, tiered_rate_limit, password_hash, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    new.account.0,
                    new.login.as_str(),
                    new.description.as_str(),
                    new.status.as_str(),
                    new.tiered_rate_limit,
                    new.password_hash.0,
                    new.created.seconds()
                ],
            )
            .map_err(storage_error)?;
            let id = i32::try_from(tx.last_insert_rowid()).map_err(Error::unknown)?;
            record_event(
                tx,
                new.account,
                audit,
                AuditAction::ApiUserCreated,
                new.login.as_str(),
                &created_fields(new),
            )?;
            select_api_user(tx, new.account, ApiUserId(id))
        })
    }

    fn list_api_users(&self, account: AccountId, paging: Paging) -> Result<Vec<ApiUser>> {
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT {API_USER_COLUMNS} FROM api_users WHERE account_id = ?1
                     ORDER BY id LIMIT ?2 OFFSET ?3"
                ))
                .map_err(storage_error)?;
            statement
                .query_map(
                    params![account.0, paging.select, paging.skip],
                    api_user_from_row,
                )
                .and_then(Iterator::collect)
                .map_err(storage_error)
        })
    }

    fn api_user(&self, account: AccountId, id: ApiUserId) -> Result<ApiUser> {
        self.read(|conn| select_api_user(conn, account, id))
    }

    fn update_api_user(
        &self,
        account: AccountId,
        id: ApiUserId,
        changes: &ApiUserChanges,
        audit: &Audit,
    ) -> Result<ApiUser> {
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE api_users SET
                       description = COALESCE(?3, description),
                       status = COALESCE(?4, status),
                       tiered_rate_limit = COALESCE(?5, tiered_rate_limit)
                     WHERE id = ?1 AND account_id = ?2",
                    params![
                        id.0,
                        account.0,
                        changes.description.as_ref().map(Description::as_str),
                        changes.status.map(Status::as_str),
                        changes.tiered_rate_limit
                    ],
                )
                .map_err(storage_error)?;
            expect_one_row(changed)?;
            let user = select_api_user(tx, account, id)?;
            record_event(
                tx,
                account,
                audit,
                AuditAction::ApiUserUpdated,
                user.login.as_str(),
                &changed_fields(changes),
            )?;
            Ok(user)
        })
    }

    fn set_api_user_password(
        &self,
        account: AccountId,
        id: ApiUserId,
        hash: &PasswordHash,
        audit: &Audit,
    ) -> Result<()> {
        self.write(|tx| {
            let login = update_returning_login(
                tx,
                "UPDATE api_users SET password_hash = ?3 WHERE id = ?1 AND account_id = ?2
                 RETURNING login",
                params![id.0, account.0, hash.0],
            )?;
            record_event(
                tx,
                account,
                audit,
                AuditAction::ApiUserPasswordSet,
                &login,
                &[],
            )
        })
    }

    fn unlock_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()> {
        self.write(|tx| {
            let login = update_returning_login(
                tx,
                "UPDATE api_users SET locked = 0 WHERE id = ?1 AND account_id = ?2
                 RETURNING login",
                params![id.0, account.0],
            )?;
            forget_login_attempts(tx, &login)?;
            record_event(
                tx,
                account,
                audit,
                AuditAction::ApiUserUnlocked,
                &login,
                &[],
            )
        })
    }

    fn delete_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()> {
        self.write(|tx| {
            let login = update_returning_login(
                tx,
                "DELETE FROM api_users WHERE id = ?1 AND account_id = ?2 RETURNING login",
                params![id.0, account.0],
            )?;
            tx.execute("DELETE FROM logins WHERE login = ?1", [&login])
                .map_err(storage_error)?;
            record_event(tx, account, audit, AuditAction::ApiUserDeleted, &login, &[])
        })
    }

    fn list_audit_events(&self, account: AccountId, paging: Paging) -> Result<Vec<AuditEvent>> {
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(
                    "SELECT id, account_id, at, actor, action, target, protocol, address, changes
                     FROM audit_events WHERE account_id = ?1
                     ORDER BY id DESC LIMIT ?2 OFFSET ?3",
                )
                .map_err(storage_error)?;
            statement
                .query_map(
                    params![account.0, paging.select, paging.skip],
                    audit_event_from_row,
                )
                .and_then(Iterator::collect)
                .map_err(storage_error)
        })
    }

    fn record_api_user_use(&self, id: ApiUserId, at: Timestamp) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached(
                "UPDATE api_users SET last_used = ?2
                 WHERE id = ?1 AND (last_used IS NULL OR last_used < ?2)",
            )
            .and_then(|mut statement| statement.execute(params![id.0, at.seconds()]))
            .map_err(storage_error)?;
            Ok(())
        })
    }
}

/// Runs an update or delete of one API user of the account that returns its login;
/// `ApiUserNotFound` when it touched no row.
fn update_returning_login(
    tx: &Transaction,
    sql: &str,
    parameters: impl rusqlite::Params,
) -> Result<String> {
    tx.query_row(sql, parameters, |row| row.get(0))
        .optional()
        .map_err(storage_error)?
        .ok_or(Error::ApiUserNotFound)
}

/// A credential from a row whose first three columns are account, login and password hash.
fn credential_from(
    row: &Row,
    role: Role,
    may_authenticate: bool,
    failures_counted: bool,
    tiered_rate_limit: bool,
    last_used: Option<Timestamp>,
) -> rusqlite::Result<StoredCredential> {
    let login: String = row.get(1)?;
    Ok(StoredCredential {
        principal: Principal {
            account: AccountId(row.get(0)?),
            login: Login::parse(&login, "email").map_err(corrupt)?,
            role,
        },
        password_hash: PasswordHash(row.get(2)?),
        may_authenticate,
        failures_counted,
        tiered_rate_limit,
        last_used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("test.db")).unwrap();
        (dir, store)
    }

    pub(super) fn audit() -> Audit {
        Audit {
            actor: "owner@example.com".into(),
            origin: Origin {
                channel: Channel::Rest,
                address: Some("127.0.0.1".into()),
            },
            at: Timestamp(1_800_000_000),
        }
    }

    pub(super) fn login(text: &str) -> Login {
        Login::parse(text, "email").unwrap()
    }

    pub(super) fn account(store: &SqliteStore, owner: &str) -> AccountId {
        store
            .create_account(
                &NewAccount {
                    name: "Acme".into(),
                    owner_login: login(owner),
                    owner_password_hash: PasswordHash("$2b$04$hash".into()),
                },
                &audit(),
            )
            .unwrap()
    }

    pub(super) fn new_api_user(account: AccountId, email: &str) -> NewApiUser {
        NewApiUser {
            account,
            login: login(email),
            description: Description::parse("shop").unwrap(),
            status: Status::Enabled,
            tiered_rate_limit: true,
            password_hash: PasswordHash("$2b$04$hash".into()),
            created: Timestamp(1_800_000_000),
        }
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

    #[test]
    fn a_login_is_unique_across_account_users_and_api_users() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        assert_eq!(
            store
                .insert_api_user(&new_api_user(acme, "OWNER@example.com"), &audit())
                .map(|_| ()),
            Err(Error::ApiUserExists)
        );
        store
            .insert_api_user(&new_api_user(acme, "shop@example.com"), &audit())
            .unwrap();
        let clash = NewAccountUser {
            account: acme,
            login: login("shop@example.com"),
            password_hash: PasswordHash("x".into()),
            can_manage_account: false,
        };
        assert_eq!(
            store.add_account_user(&clash, &audit()),
            Err(Error::ApiUserExists)
        );
    }

    #[test]
    fn another_accounts_api_user_is_not_found() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@acme.example");
        let other = account(&store, "owner@other.example");
        let user = store
            .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
            .unwrap();
        assert_eq!(store.api_user(other, user.id), Err(Error::ApiUserNotFound));
        assert_eq!(
            store.delete_api_user(other, user.id, &audit()),
            Err(Error::ApiUserNotFound)
        );
        assert_eq!(
            store
                .update_api_user(other, user.id, &ApiUserChanges::default(), &audit())
                .map(|_| ()),
            Err(Error::ApiUserNotFound)
        );
        assert_eq!(store.api_user(acme, user.id).unwrap(), user);
    }

    #[test]
    fn last_used_only_moves_forward() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        let user = store
            .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
            .unwrap();
        let read = || store.api_user(acme, user.id).unwrap().last_used;
        store
            .record_api_user_use(user.id, Timestamp(1_060))
            .unwrap();
        assert_eq!(read(), Some(Timestamp(1_060)));
        store
            .record_api_user_use(user.id, Timestamp(1_000))
            .unwrap();
        assert_eq!(read(), Some(Timestamp(1_060)));
        assert_eq!(
            store
                .credential("shop@x.example")
                .unwrap()
                .unwrap()
                .last_used,
            Some(Timestamp(1_060))
        );
    }

    #[test]
    fn a_deleted_id_is_never_handed_out_again() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        let first = store
            .insert_api_user(&new_api_user(acme, "a@x.example"), &audit())
            .unwrap();
        store.delete_api_user(acme, first.id, &audit()).unwrap();
        let second = store
            .insert_api_user(&new_api_user(acme, "a@x.example"), &audit())
            .unwrap();
        assert!(second.id.0 > first.id.0);
    }

    #[test]
    fn a_lock_holds_until_an_unlock_which_forgets_the_failures() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        let user = store
            .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
            .unwrap();
        let lock = |login: &Login| store.write(|tx| lock_login(tx, login, &audit())).unwrap();
        assert!(lock(&user.login));
        assert!(!lock(&user.login), "locked once");
        let stored = store.credential("SHOP@x.example").unwrap().unwrap();
        assert!(!stored.may_authenticate);
        store.unlock_api_user(acme, user.id, &audit()).unwrap();
        let stored = store.credential("shop@x.example").unwrap().unwrap();
        assert!(stored.may_authenticate);
        assert!(!stored.failures_counted);
        let owner = login("owner@example.com");
        assert!(lock(&owner));
        assert!(
            !store
                .credential("owner@example.com")
                .unwrap()
                .unwrap()
                .may_authenticate
        );
        assert!(store.unlock_account_user(&owner, &audit()).unwrap());
        assert!(
            !store
                .unlock_account_user(&login("nobody@example.com"), &audit())
                .unwrap()
        );
    }

    #[test]
    fn every_change_is_recorded_with_its_context_newest_first() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        let user = store
            .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
            .unwrap();
        let changes = ApiUserChanges {
            status: Some(Status::Disabled),
            ..ApiUserChanges::default()
        };
        store
            .update_api_user(acme, user.id, &changes, &audit())
            .unwrap();
        store
            .set_api_user_password(acme, user.id, &PasswordHash("$2b$04$new".into()), &audit())
            .unwrap();
        store.delete_api_user(acme, user.id, &audit()).unwrap();
        let events = store
            .list_audit_events(acme, Paging::parse(None, None).unwrap())
            .unwrap();
        let actions: Vec<_> = events.iter().map(|e| e.action).collect();
        assert_eq!(
            actions,
            [
                AuditAction::ApiUserDeleted,
                AuditAction::ApiUserPasswordSet,
                AuditAction::ApiUserUpdated,
                AuditAction::ApiUserCreated,
                AuditAction::AccountCreated,
            ]
        );
        assert_eq!(
            events[2].changes,
            [("status".to_owned(), "Disabled".to_owned())]
        );
        assert_eq!(
            events[3].changes[0],
            ("email".to_owned(), "shop@x.example".to_owned())
        );
        assert!(
            events[1].changes.is_empty(),
            "no password or hash is recorded"
        );
        assert!(
            events
                .iter()
                .all(|e| e.target == "shop@x.example" || e.action == AuditAction::AccountCreated)
        );
        assert_eq!(events[0].origin, audit().origin);
        assert_eq!(events[0].actor, "owner@example.com");
        let other = account(&store, "owner@other.example");
        assert_eq!(
            store
                .list_audit_events(other, Paging::parse(None, None).unwrap())
                .unwrap()
                .len(),
            1
        );
    }
}
