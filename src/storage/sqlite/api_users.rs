//! API users.

use super::credentials::{claim_login, forget_login_attempts};
use super::{SqliteStore, cached_row, cached_rows, corrupt, storage_error};
use crate::domain::{
    AccountId, ApiUser, ApiUserChanges, ApiUserId, Audit, AuditAction, Description, Error,
    NewApiUser, Paging, PasswordHash, Result, Status, Timestamp,
};
use crate::storage::ApiUserStore;
use crate::storage::api_users::{API_USER_COLUMNS, ApiUserRow};
use crate::storage::audit::Event;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

fn api_user_from_row(row: &Row) -> rusqlite::Result<ApiUser> {
    ApiUserRow {
        id: row.get(0)?,
        account: row.get(1)?,
        login: row.get(2)?,
        description: row.get(3)?,
        status: row.get(4)?,
        tiered_rate_limit: row.get(5)?,
        locked: row.get(6)?,
        created: row.get(7)?,
        last_used: row.get(8)?,
    }
    .into_api_user()
    .map_err(corrupt)
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

/// Fails with `ApiUserNotFound` when an update touched no row of this account.
fn expect_one_row(changed: usize) -> Result<()> {
    if changed == 0 {
        Err(Error::ApiUserNotFound)
    } else {
        Ok(())
    }
}

/// Runs `sql`, an update or delete of one API user of `account` that returns its login, and
/// names the change's event; `ApiUserNotFound` when it touched no row.
fn change_api_user(
    tx: &Transaction,
    account: AccountId,
    action: AuditAction,
    sql: &str,
    parameters: impl rusqlite::Params,
) -> Result<Event> {
    let login: String = tx
        .query_row(sql, parameters, |row| row.get(0))
        .optional()
        .map_err(storage_error)?
        .ok_or(Error::ApiUserNotFound)?;
    Ok(Event::new(account, action, &login))
}

impl ApiUserStore for SqliteStore {
    fn insert_api_user(&self, new: &NewApiUser, audit: &Audit) -> Result<ApiUser> {
        self.write_audited(audit, |tx| {
            claim_login(tx, &new.login)?;
            let id = tx
                .query_row(
                    "INSERT INTO api_users
                     (account_id, login, description, status, tiered_rate_limit, password_hash,
                      created)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                    params![
                        new.account.0,
                        new.login.as_str(),
                        new.description.as_str(),
                        new.status.as_str(),
                        new.tiered_rate_limit,
                        new.password_hash.0,
                        new.created.seconds()
                    ],
                    |row| row.get(0),
                )
                .map(ApiUserId)
                .map_err(storage_error)?;
            let event = Event::api_user_created(new);
            Ok((select_api_user(tx, new.account, id)?, event))
        })
    }

    fn list_api_users(&self, account: AccountId, paging: Paging) -> Result<Vec<ApiUser>> {
        self.read(|conn| {
            cached_rows(
                conn,
                &format!(
                    "SELECT {API_USER_COLUMNS} FROM api_users WHERE account_id = ?1
                     ORDER BY id LIMIT ?2 OFFSET ?3"
                ),
                params![account.0, paging.select, paging.skip],
                api_user_from_row,
            )
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
        self.write_audited(audit, |tx| {
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
            let event = Event::api_user_updated(&user, changes);
            Ok((user, event))
        })
    }

    fn set_api_user_password(
        &self,
        account: AccountId,
        id: ApiUserId,
        hash: &PasswordHash,
        audit: &Audit,
    ) -> Result<()> {
        self.write_audited(audit, |tx| {
            let sql = "UPDATE api_users SET password_hash = ?3 WHERE id = ?1 AND account_id = ?2
                       RETURNING login";
            let params = params![id.0, account.0, hash.0];
            let set = change_api_user(tx, account, AuditAction::ApiUserPasswordSet, sql, params)?;
            Ok(((), set))
        })
    }

    fn unlock_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()> {
        self.write_audited(audit, |tx| {
            let sql = "UPDATE api_users SET locked = 0 WHERE id = ?1 AND account_id = ?2
                       RETURNING login";
            let params = params![id.0, account.0];
            let unlocked = change_api_user(tx, account, AuditAction::ApiUserUnlocked, sql, params)?;
            forget_login_attempts(tx, &unlocked.target)?;
            Ok(((), unlocked))
        })
    }

    fn delete_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()> {
        self.write_audited(audit, |tx| {
            let sql = "DELETE FROM api_users WHERE id = ?1 AND account_id = ?2 RETURNING login";
            let params = params![id.0, account.0];
            let deleted = change_api_user(tx, account, AuditAction::ApiUserDeleted, sql, params)?;
            tx.execute("DELETE FROM logins WHERE login = ?1", [&deleted.target])
                .map_err(storage_error)?;
            Ok(((), deleted))
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
