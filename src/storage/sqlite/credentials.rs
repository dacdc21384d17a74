//! Logins and what authentication keeps of them: the stored credential, the password hash's
//! replacement, and each login's failure budget with the lock it leads to.

use super::audit::record_event;
use super::{SqliteStore, cached_row, cached_rows, corrupt, storage_error};
use crate::domain::{
    AccountId, ApiUserId, Audit, AuditAction, Error, Fingerprint, Login, PasswordHash, Result,
    Role, Timestamp,
};
use crate::storage::accounts::{account_user_role, stored_principal};
use crate::storage::audit::Event;
use crate::storage::credentials::without_a_slot;
use crate::storage::{
    Attempt, AttemptId, CredentialStore, LockoutRule, SLOT_HELD_AT_MOST_SECONDS, StoredCredential,
};
use rusqlite::{ErrorCode, OptionalExtension, Row, Transaction, params};

/// SQL: whether wrong passwords are counted for the login `?1`.
macro_rules! failures_counted {
    () => {
        "EXISTS (SELECT 1 FROM login_attempts WHERE login = ?1 AND failed = 1)"
    };
}

/// Claims a login for a new principal; a taken one is `ApiUserExists`.
pub(super) fn claim_login(tx: &Transaction, login: &Login) -> Result<()> {
    match tx.execute("INSERT INTO logins (login) VALUES (?1)", [login.as_str()]) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Err(Error::ApiUserExists)
        }
        Err(e) => Err(storage_error(e)),
    }
}

impl CredentialStore for SqliteStore {
    fn credential(&self, login: &Login) -> Result<Option<StoredCredential>> {
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
                [login.as_str()],
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
                [login.as_str()],
                |row| {
                    let role = account_user_role(row.get(3)?, row.get(4)?);
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

    fn reserve_login_attempt(
        &self,
        login: &Login,
        fingerprint: Fingerprint,
        at: Timestamp,
        rule: LockoutRule,
    ) -> Result<Attempt> {
        self.write(|tx| {
            tx.prepare_cached(
                "DELETE FROM login_attempts WHERE login = ?1
                   AND at <= ?2 - CASE failed WHEN 1 THEN ?3 ELSE ?4 END",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    login.as_str(),
                    at.seconds(),
                    rule.window_seconds,
                    SLOT_HELD_AT_MOST_SECONDS
                ])
            })
            .map_err(storage_error)?;
            if is_locked(tx, login)? {
                return Ok(Attempt::Refused);
            }
            let fingerprints: Vec<u16> = cached_rows(
                tx,
                "SELECT fingerprint FROM login_attempts WHERE login = ?1",
                [login.as_str()],
                |row| row.get(0),
            )?;
            if let Some(attempt) = without_a_slot(&fingerprints, fingerprint, rule) {
                return Ok(attempt);
            }
            let id = tx
                .prepare_cached(
                    "INSERT INTO login_attempts (login, at, fingerprint, failed)
                     VALUES (?1, ?2, ?3, 0) RETURNING id",
                )
                .and_then(|mut statement| {
                    statement.query_row(
                        params![login.as_str(), at.seconds(), fingerprint.0],
                        |row| row.get(0),
                    )
                })
                .map_err(storage_error)?;
            Ok(Attempt::Reserved(AttemptId(id)))
        })
    }

    fn count_failed_attempt(
        &self,
        attempt: AttemptId,
        login: &Login,
        fingerprint: Fingerprint,
        rule: LockoutRule,
        audit: &Audit,
    ) -> Result<bool> {
        self.write(|tx| {
            let at = audit.at.seconds();
            let settled = tx
                .execute(
                    "UPDATE login_attempts SET failed = 1, at = ?2 WHERE id = ?1",
                    params![attempt.0, at],
                )
                .map_err(storage_error)?;
            // A right password checked meanwhile cleared the slot: the failure still counts.
            if settled == 0 {
                tx.execute(
                    "INSERT INTO login_attempts (login, at, fingerprint, failed)
                     VALUES (?1, ?2, ?3, 1)",
                    params![login.as_str(), at, fingerprint.0],
                )
                .map_err(storage_error)?;
            }
            let failures: u32 = tx
                .query_row(
                    "SELECT COUNT(*) FROM login_attempts
                     WHERE login = ?1 AND failed = 1 AND at > ?2 - ?3",
                    params![login.as_str(), at, rule.window_seconds],
                    |row| row.get(0),
                )
                .map_err(storage_error)?;
            if failures >= rule.threshold {
                lock_login(tx, login, audit)
            } else {
                Ok(false)
            }
        })
    }

    fn clear_login_attempts(&self, login: &Login, attempt: Option<AttemptId>) -> Result<bool> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM login_attempts WHERE login = ?1 AND (failed = 1 OR id = ?2)",
                params![login.as_str(), attempt.map(|a| a.0)],
            )
            .map_err(storage_error)?;
            Ok(!is_locked(tx, login)?)
        })
    }
}

/// Forgets every counted failure and slot of a login: after an unlock.
pub(super) fn forget_login_attempts(tx: &Transaction, login: &str) -> Result<()> {
    tx.execute("DELETE FROM login_attempts WHERE login = ?1", [login])
        .map_err(storage_error)?;
    Ok(())
}

fn is_locked(tx: &Transaction, login: &Login) -> Result<bool> {
    tx.prepare_cached(
        "SELECT locked FROM api_users WHERE login = ?1
         UNION ALL SELECT locked FROM account_users WHERE login = ?1",
    )
    .and_then(|mut statement| {
        statement
            .query_row([login.as_str()], |row| row.get(0))
            .optional()
    })
    .map(Option::unwrap_or_default)
    .map_err(storage_error)
}

/// Locks the principal of `login`; `Ok(true)` when this call locked it (and recorded the
/// event), `Ok(false)` when it was locked already. It runs inside the transaction of the
/// failure that reached the threshold, so it writes its event itself.
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
            let event = Event::new(AccountId(account), action, login.as_str());
            record_event(tx, audit, &event)?;
            return Ok(true);
        }
    }
    Ok(false)
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
        principal: stored_principal(row.get(0)?, &login, role).map_err(corrupt)?,
        password_hash: PasswordHash(row.get(2)?),
        may_authenticate,
        failures_counted,
        tiered_rate_limit,
        last_used,
    })
}
