//! API users.

use super::credentials::{claim_login, forget_login_attempts};
use super::{PostgresStore, corrupt, storage_error};
use crate::domain::{
    AccountId, ApiUser, ApiUserChanges, ApiUserId, Audit, AuditAction, Description, Error,
    NewApiUser, Paging, PasswordHash, Result, Status, Timestamp,
};
use crate::storage::ApiUserStore;
use crate::storage::api_users::{API_USER_COLUMNS, ApiUserRow};
use crate::storage::audit::Event;
use ::postgres::{GenericClient, Row, Transaction};

fn api_user_from_row(row: &Row) -> Result<ApiUser> {
    ApiUserRow {
        id: row.get(0),
        account: row.get(1),
        login: row.get(2),
        description: row.get(3),
        status: row.get(4),
        tiered_rate_limit: row.get(5),
        locked: row.get(6),
        created: row.get(7),
        last_used: row.get(8),
    }
    .into_api_user()
    .map_err(corrupt)
}

fn select_api_user(
    conn: &mut impl GenericClient,
    account: AccountId,
    id: ApiUserId,
) -> Result<ApiUser> {
    conn.query_opt(
        &format!("SELECT {API_USER_COLUMNS} FROM api_users WHERE id = $1 AND account_id = $2"),
        &[&id.0, &account.0],
    )
    .map_err(storage_error)?
    .ok_or(Error::ApiUserNotFound)
    .and_then(|row| api_user_from_row(&row))
}

/// Takes the login's row of one API user of `account` (see `hold_login`) and returns the
/// login; `ApiUserNotFound` when the account has no such API user.
fn hold_api_user_login(tx: &mut Transaction, account: AccountId, id: ApiUserId) -> Result<String> {
    tx.query_opt(
        "SELECT l.login FROM api_users a JOIN logins l ON l.login = a.login
         WHERE a.id = $1 AND a.account_id = $2 FOR UPDATE OF l",
        &[&id.0, &account.0],
    )
    .map_err(storage_error)?
    .map(|row| row.get(0))
    .ok_or(Error::ApiUserNotFound)
}

impl ApiUserStore for PostgresStore {
    fn insert_api_user(&self, new: &NewApiUser, audit: &Audit) -> Result<ApiUser> {
        self.write_audited(audit, |tx| {
            claim_login(tx, &new.login)?;
            let user = tx
                .query_one(
                    &format!(
                        "INSERT INTO api_users
                         (account_id, login, description, status, tiered_rate_limit,
                          password_hash, created)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {API_USER_COLUMNS}"
                    ),
                    &[
                        &new.account.0,
                        &new.login.as_str(),
                        &new.description.as_str(),
                        &new.status.as_str(),
                        &new.tiered_rate_limit,
                        &new.password_hash.0,
                        &new.created.seconds(),
                    ],
                )
                .map_err(storage_error)?;
            let event = Event::api_user_created(new);
            Ok((api_user_from_row(&user)?, event))
        })
    }

    fn list_api_users(&self, account: AccountId, paging: Paging) -> Result<Vec<ApiUser>> {
        self.run(|conn| {
            conn.query(
                &format!(
                    "SELECT {API_USER_COLUMNS} FROM api_users WHERE account_id = $1
                     ORDER BY id LIMIT $2 OFFSET $3"
                ),
                &[
                    &account.0,
                    &i64::from(paging.select),
                    &i64::from(paging.skip),
                ],
            )
            .map_err(storage_error)?
            .iter()
            .map(api_user_from_row)
            .collect()
        })
    }

    fn api_user(&self, account: AccountId, id: ApiUserId) -> Result<ApiUser> {
        self.run(|conn| select_api_user(conn, account, id))
    }

    fn update_api_user(
        &self,
        account: AccountId,
        id: ApiUserId,
        changes: &ApiUserChanges,
        audit: &Audit,
    ) -> Result<ApiUser> {
        self.write_audited(audit, |tx| {
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE api_users SET
                           description = COALESCE($3, description),
                           status = COALESCE($4, status),
                           tiered_rate_limit = COALESCE($5, tiered_rate_limit)
                         WHERE id = $1 AND account_id = $2 RETURNING {API_USER_COLUMNS}"
                    ),
                    &[
                        &id.0,
                        &account.0,
                        &changes.description.as_ref().map(Description::as_str),
                        &changes.status.map(Status::as_str),
                        &changes.tiered_rate_limit,
                    ],
                )
                .map_err(storage_error)?
                .ok_or(Error::ApiUserNotFound)?;
            let user = api_user_from_row(&row)?;
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
            let login: String = tx
                .query_opt(
                    "UPDATE api_users SET password_hash = $3 WHERE id = $1 AND account_id = $2
                     RETURNING login",
                    &[&id.0, &account.0, &hash.0],
                )
                .map_err(storage_error)?
                .ok_or(Error::ApiUserNotFound)?
                .get(0);
            Ok((
                (),
                Event::new(account, AuditAction::ApiUserPasswordSet, &login),
            ))
        })
    }

    fn unlock_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()> {
        self.write_audited(audit, |tx| {
            let login = hold_api_user_login(tx, account, id)?;
            tx.execute(
                "UPDATE api_users SET locked = FALSE WHERE id = $1",
                &[&id.0],
            )
            .map_err(storage_error)?;
            forget_login_attempts(tx, &login)?;
            Ok((
                (),
                Event::new(account, AuditAction::ApiUserUnlocked, &login),
            ))
        })
    }

    fn delete_api_user(&self, account: AccountId, id: ApiUserId, audit: &Audit) -> Result<()> {
        self.write_audited(audit, |tx| {
            let login = hold_api_user_login(tx, account, id)?;
            tx.execute("DELETE FROM api_users WHERE id = $1", &[&id.0])
                .map_err(storage_error)?;
            tx.execute("DELETE FROM logins WHERE login = $1", &[&login])
                .map_err(storage_error)?;
            Ok(((), Event::new(account, AuditAction::ApiUserDeleted, &login)))
        })
    }

    fn record_api_user_use(&self, id: ApiUserId, at: Timestamp) -> Result<()> {
        self.run(|conn| {
            conn.execute(
                "UPDATE api_users SET last_used = $2
                 WHERE id = $1 AND (last_used IS NULL OR last_used < $2)",
                &[&id.0, &at.seconds()],
            )
            .map(|_| ())
            .map_err(storage_error)
        })
    }
}
