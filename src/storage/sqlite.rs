//! The embedded SQLite store: a small connection pool, WAL, and `BEGIN IMMEDIATE` for every
//! write so that concurrent writers wait on the busy timeout instead of failing.

use super::{Store, StoredCredential, migrations};
use crate::domain::{
    Account, AccountId, ApiUser, ApiUserChanges, ApiUserId, Description, Error, Login, NewAccount,
    NewAccountUser, NewApiUser, Paging, PasswordHash, Principal, Result, Role, Status, Timestamp,
};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{
    Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};
use std::path::Path;
use std::time::Duration;

const POOL_SIZE: u32 = 8;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// `lastUsed` is rewritten at most once a minute per API user.
const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

pub struct SqliteStore {
    pool: r2d2::Pool<SqliteConnectionManager>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    /// WAL mode is set and the schema migrated on one connection first: the pool opens its
    /// connections in parallel, and a journal-mode change racing between them fails with
    /// "database is locked" whatever the busy timeout.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let mut first = Connection::open(path).map_err(Error::unknown)?;
        tune(&mut first).map_err(Error::unknown)?;
        first
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(Error::unknown)?;
        migrations::apply(&mut first).map_err(Error::unknown)?;
        drop(first);
        let manager = SqliteConnectionManager::file(path).with_init(tune);
        let pool = r2d2::Pool::builder()
            .max_size(POOL_SIZE)
            .build(manager)
            .map_err(Error::unknown)?;
        Ok(SqliteStore { pool })
    }

    fn connection(&self) -> Result<r2d2::PooledConnection<SqliteConnectionManager>> {
        self.pool.get().map_err(Error::unknown)
    }

    /// Runs `work` in a `BEGIN IMMEDIATE` transaction and commits it when it succeeds.
    fn write<T>(&self, work: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.connection()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::unknown)?;
        let value = work(&tx)?;
        tx.commit().map_err(Error::unknown)?;
        Ok(value)
    }

    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        work(&*self.connection()?)
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

mod web_sessions;

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

fn select_api_user(conn: &Connection, account: AccountId, id: ApiUserId) -> Result<ApiUser> {
    conn.query_row(
        &format!("SELECT {API_USER_COLUMNS} FROM api_users WHERE id = ?1 AND account_id = ?2"),
        params![id.0, account.0],
        api_user_from_row,
    )
    .optional()
    .map_err(Error::unknown)?
    .ok_or(Error::ApiUserNotFound)
}

/// Claims a login for a new principal; a taken one is `ApiUserExists`.
fn claim_login(tx: &Transaction, login: &Login) -> Result<()> {
    match tx.execute("INSERT INTO logins (login) VALUES (?1)", [login.as_str()]) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Err(Error::ApiUserExists)
        }
        Err(e) => Err(Error::unknown(e)),
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

impl Store for SqliteStore {
    fn account(&self, id: AccountId) -> Result<Account> {
        self.read(|conn| {
            conn.query_row(
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
            .map_err(Error::unknown)
        })
    }

    fn first_account(&self) -> Result<Option<AccountId>> {
        self.read(|conn| {
            conn.query_row("SELECT MIN(id) FROM accounts", [], |row| {
                row.get::<_, Option<i64>>(0)
            })
            .map(|id| id.map(AccountId))
            .map_err(Error::unknown)
        })
    }

    fn create_account(&self, new: &NewAccount) -> Result<AccountId> {
        self.write(|tx| {
            claim_login(tx, &new.owner_login)?;
            tx.execute(
                "INSERT INTO accounts (name, created) VALUES (?1, ?2)",
                params![new.name, now()],
            )
            .map_err(Error::unknown)?;
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
            .map_err(Error::unknown)?;
            Ok(account)
        })
    }

    fn add_account_user(&self, new: &NewAccountUser) -> Result<()> {
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
            .map_err(Error::unknown)?;
            Ok(())
        })
    }

    fn credential(&self, login: &str) -> Result<Option<StoredCredential>> {
        self.read(|conn| {
            let account_user = conn
                .query_row(
                    "SELECT account_id, login, password_hash, is_owner, can_manage_account
                     FROM account_users WHERE login = ?1",
                    [login],
                    |row| {
                        let role = if row.get(3)? {
                            Role::Owner
                        } else {
                            Role::AccountUser {
                                can_manage_account: row.get(4)?,
                            }
                        };
                        credential_from(
                            row.get(0)?,
                            &row.get::<_, String>(1)?,
                            row.get(2)?,
                            role,
                            true,
                        )
                    },
                )
                .optional()
                .map_err(Error::unknown)?;
            if account_user.is_some() {
                return Ok(account_user);
            }
            conn.query_row(
                "SELECT account_id, login, password_hash, id, status = 'Enabled' AND locked = 0
                 FROM api_users WHERE login = ?1",
                [login],
                |row| {
                    let role = Role::ApiUser(ApiUserId(row.get(3)?));
                    credential_from(
                        row.get(0)?,
                        &row.get::<_, String>(1)?,
                        row.get(2)?,
                        role,
                        row.get(4)?,
                    )
                },
            )
            .optional()
            .map_err(Error::unknown)
        })
    }

    fn insert_api_user(&self, new: &NewApiUser) -> Result<ApiUser> {
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
            .map_err(Error::unknown)?;
            let id = i32::try_from(tx.last_insert_rowid()).map_err(Error::unknown)?;
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
                .map_err(Error::unknown)?;
            statement
                .query_map(
                    params![account.0, paging.select, paging.skip],
                    api_user_from_row,
                )
                .and_then(Iterator::collect)
                .map_err(Error::unknown)
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
                .map_err(Error::unknown)?;
            expect_one_row(changed)?;
            select_api_user(tx, account, id)
        })
    }

    fn set_api_user_password(
        &self,
        account: AccountId,
        id: ApiUserId,
        hash: &PasswordHash,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE api_users SET password_hash = ?3 WHERE id = ?1 AND account_id = ?2",
                params![id.0, account.0, hash.0],
            )
            .map_err(Error::unknown)
            .and_then(expect_one_row)
        })
    }

    fn unlock_api_user(&self, account: AccountId, id: ApiUserId) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE api_users SET locked = 0 WHERE id = ?1 AND account_id = ?2",
                params![id.0, account.0],
            )
            .map_err(Error::unknown)
            .and_then(expect_one_row)
        })
    }

    fn delete_api_user(&self, account: AccountId, id: ApiUserId) -> Result<()> {
        self.write(|tx| {
            let login: String = tx
                .query_row(
                    "DELETE FROM api_users WHERE id = ?1 AND account_id = ?2 RETURNING login",
                    params![id.0, account.0],
                    |row| row.get(0),
                )
                .optional()
                .map_err(Error::unknown)?
                .ok_or(Error::ApiUserNotFound)?;
            tx.execute("DELETE FROM logins WHERE login = ?1", [login])
                .map_err(Error::unknown)?;
            Ok(())
        })
    }

    fn record_api_user_use(&self, id: ApiUserId, at: Timestamp) -> Result<()> {
        let stale_before = at.seconds() - LAST_USED_RESOLUTION_SECONDS;
        let is_fresh = self.read(|conn| {
            conn.query_row(
                "SELECT last_used IS NOT NULL AND last_used > ?2 FROM api_users WHERE id = ?1",
                params![id.0, stale_before],
                |row| row.get::<_, bool>(0),
            )
            .optional()
            .map_err(Error::unknown)
        })?;
        if is_fresh != Some(false) {
            return Ok(());
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE api_users SET last_used = ?2
                 WHERE id = ?1 AND (last_used IS NULL OR last_used <= ?3)",
                params![id.0, at.seconds(), stale_before],
            )
            .map_err(Error::unknown)?;
            Ok(())
        })
    }
}

fn credential_from(
    account: i64,
    login: &str,
    password_hash: String,
    role: Role,
    may_authenticate: bool,
) -> rusqlite::Result<StoredCredential> {
    Ok(StoredCredential {
        principal: Principal {
            account: AccountId(account),
            login: Login::parse(login, "email").map_err(corrupt)?,
            role,
        },
        password_hash: PasswordHash(password_hash),
        may_authenticate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("test.db")).unwrap();
        (dir, store)
    }

    fn login(text: &str) -> Login {
        Login::parse(text, "email").unwrap()
    }

    fn account(store: &SqliteStore, owner: &str) -> AccountId {
        store
            .create_account(&NewAccount {
                name: "Acme".into(),
                owner_login: login(owner),
                owner_password_hash: PasswordHash("$2b$04$hash".into()),
            })
            .unwrap()
    }

    fn new_api_user(account: AccountId, email: &str) -> NewApiUser {
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
    fn a_login_is_unique_across_account_users_and_api_users() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        assert_eq!(
            store
                .insert_api_user(&new_api_user(acme, "OWNER@example.com"))
                .map(|_| ()),
            Err(Error::ApiUserExists)
        );
        store
            .insert_api_user(&new_api_user(acme, "shop@example.com"))
            .unwrap();
        let clash = NewAccountUser {
            account: acme,
            login: login("shop@example.com"),
            password_hash: PasswordHash("x".into()),
            can_manage_account: false,
        };
        assert_eq!(store.add_account_user(&clash), Err(Error::ApiUserExists));
    }

    #[test]
    fn another_accounts_api_user_is_not_found() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@acme.example");
        let other = account(&store, "owner@other.example");
        let user = store
            .insert_api_user(&new_api_user(acme, "shop@x.example"))
            .unwrap();
        assert_eq!(store.api_user(other, user.id), Err(Error::ApiUserNotFound));
        assert_eq!(
            store.delete_api_user(other, user.id),
            Err(Error::ApiUserNotFound)
        );
        assert_eq!(
            store
                .update_api_user(other, user.id, &ApiUserChanges::default())
                .map(|_| ()),
            Err(Error::ApiUserNotFound)
        );
        assert_eq!(store.api_user(acme, user.id).unwrap(), user);
    }

    #[test]
    fn last_used_is_rewritten_at_most_once_a_minute() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        let user = store
            .insert_api_user(&new_api_user(acme, "shop@x.example"))
            .unwrap();
        let read = || store.api_user(acme, user.id).unwrap().last_used;
        store
            .record_api_user_use(user.id, Timestamp(1_000))
            .unwrap();
        assert_eq!(read(), Some(Timestamp(1_000)));
        store
            .record_api_user_use(user.id, Timestamp(1_059))
            .unwrap();
        assert_eq!(read(), Some(Timestamp(1_000)));
        store
            .record_api_user_use(user.id, Timestamp(1_060))
            .unwrap();
        assert_eq!(read(), Some(Timestamp(1_060)));
    }

    #[test]
    fn a_deleted_id_is_never_handed_out_again() {
        let (_dir, store) = store();
        let acme = account(&store, "owner@example.com");
        let first = store
            .insert_api_user(&new_api_user(acme, "a@x.example"))
            .unwrap();
        store.delete_api_user(acme, first.id).unwrap();
        let second = store
            .insert_api_user(&new_api_user(acme, "a@x.example"))
            .unwrap();
        assert!(second.id.0 > first.id.0);
    }
}
