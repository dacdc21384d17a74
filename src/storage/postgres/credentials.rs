//! Logins and what authentication keeps of them: the stored credential, the password hash's
//! replacement, and each login's failure budget with the lock it leads to.
//!
//! **Concurrency of the budget.** Every transaction that reads or changes a login's budget
//! (reserve, count, clear, and the unlock and delete of its principal) first takes the login's
//! row in `logins` with `SELECT … FOR UPDATE` (`hold_login`). PostgreSQL holds that row lock
//! until the transaction ends, across every connection of every gateway instance, so the
//! checks of one login run one after another, and under read committed each statement after
//! the lock sees what the previous holder committed: the count of slots and failures can
//! never be read stale. A row lock rather than an advisory lock keyed on a hash of the login:
//! it names exactly one login (no two logins share a key), it is released with the
//! transaction whatever happens to the connection, and it conflicts with the `DELETE` of the
//! login's row, so a budget is never settled for a login being deleted. Every path takes the
//! login's row before any user row, so two of them never wait on each other.

use super::audit::record_event;
use super::{PostgresStore, corrupt, storage_error};
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
use ::postgres::types::Type;
use ::postgres::{Row, Transaction};

/// SQL: whether wrong passwords are counted for the login `$1`.
macro_rules! failures_counted {
    () => {
        "EXISTS (SELECT 1 FROM login_attempts WHERE login = $1 AND failed)"
    };
}

/// SQL: the credential of the login `$1`, API user or account user (a login is unique across
/// both), in the columns `credential_of` reads.
macro_rules! credential_rows {
    () => {
        concat!(
            "SELECT a.account_id, a.login, a.password_hash, a.id AS api_user_id,
                    FALSE AS is_owner, FALSE AS can_manage_account,
                    a.status = 'Enabled' AND NOT a.locked AS may_authenticate, ",
            failures_counted!(),
            " AS failures_counted, a.tiered_rate_limit, a.last_used
               FROM api_users a WHERE a.login = $1
             UNION ALL
             SELECT u.account_id, u.login, u.password_hash, NULL, u.is_owner,
                    u.can_manage_account, NOT u.locked, ",
            failures_counted!(),
            ", FALSE, NULL
               FROM account_users u WHERE u.login = $1"
        )
    };
}
// Both are expanded where `credential_rows!` is used: import them together.
pub(super) use {credential_rows, failures_counted};

/// Claims a login for a new principal; a taken one is `ApiUserExists`.
pub(super) fn claim_login(tx: &mut Transaction, login: &Login) -> Result<()> {
    let claimed = tx
        .execute(
            "INSERT INTO logins (login) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&login.as_str()],
        )
        .map_err(storage_error)?;
    match claimed {
        0 => Err(Error::ApiUserExists),
        _ => Ok(()),
    }
}

/// Takes `login`'s row until the transaction ends: the lock that serialises its budget (see
/// the module's doc). A login nobody has holds nothing, and has no budget to guard.
pub(super) fn hold_login(tx: &mut Transaction, login: &str) -> Result<()> {
    tx.execute(
        "SELECT 1 FROM logins WHERE login = $1 FOR UPDATE",
        &[&login],
    )
    .map_err(storage_error)?;
    Ok(())
}

/// Forgets every counted failure and slot of a login: after an unlock.
pub(super) fn forget_login_attempts(tx: &mut Transaction, login: &str) -> Result<()> {
    tx.execute("DELETE FROM login_attempts WHERE login = $1", &[&login])
        .map_err(storage_error)?;
    Ok(())
}

impl CredentialStore for PostgresStore {
    fn credential(&self, login: &Login) -> Result<Option<StoredCredential>> {
        self.run(|conn| {
            conn.query_typed_opt(credential_rows!(), &[(&login.as_str(), Type::TEXT)])
                .map_err(storage_error)?
                .map(|row| credential_of(&row))
                .transpose()
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
                        "UPDATE {table} SET password_hash = $3
                         WHERE login = $1 AND password_hash = $2"
                    ),
                    &[&login.as_str(), &old.0, &new.0],
                )
                .map_err(storage_error)?;
            }
            Ok(())
        })
    }

    fn highest_password_cost(&self) -> Result<Option<u32>> {
        // bcrypt's modular crypt format: `$2b$`, the two-digit cost, `$`, salt and hash.
        self.run(|conn| {
            let highest: Option<i32> = conn
                .query_one(
                    r"SELECT MAX(substring(password_hash FROM '^\$2[abxy]?\$([0-9]{2})\$')::INTEGER)
                      FROM (SELECT password_hash FROM api_users
                            UNION ALL SELECT password_hash FROM account_users) hashes",
                    &[],
                )
                .map_err(storage_error)?
                .get(0);
            Ok(highest.and_then(|cost| u32::try_from(cost).ok()))
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
            hold_login(tx, login.as_str())?;
            tx.execute(
                "DELETE FROM login_attempts WHERE login = $1
                   AND at <= $2::BIGINT - CASE WHEN failed THEN $3::BIGINT ELSE $4::BIGINT END",
                &[
                    &login.as_str(),
                    &at.seconds(),
                    &rule.window_seconds,
                    &SLOT_HELD_AT_MOST_SECONDS,
                ],
            )
            .map_err(storage_error)?;
            if is_locked(tx, login)? {
                return Ok(Attempt::Refused);
            }
            let fingerprints = tx
                .query(
                    "SELECT fingerprint FROM login_attempts WHERE login = $1",
                    &[&login.as_str()],
                )
                .map_err(storage_error)?
                .iter()
                .map(|row| u16::try_from(row.get::<_, i32>(0)).map_err(Error::unknown))
                .collect::<Result<Vec<u16>>>()?;
            if let Some(attempt) = without_a_slot(&fingerprints, fingerprint, rule) {
                return Ok(attempt);
            }
            let id = tx
                .query_one(
                    "INSERT INTO login_attempts (login, at, fingerprint, failed)
                     VALUES ($1, $2, $3, FALSE) RETURNING id",
                    &[&login.as_str(), &at.seconds(), &i32::from(fingerprint.0)],
                )
                .map_err(storage_error)?
                .get(0);
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
            hold_login(tx, login.as_str())?;
            let at = audit.at.seconds();
            let settled = tx
                .execute(
                    "UPDATE login_attempts SET failed = TRUE, at = $2 WHERE id = $1",
                    &[&attempt.0, &at],
                )
                .map_err(storage_error)?;
            // A right password checked meanwhile cleared the slot: the failure still counts.
            if settled == 0 {
                tx.execute(
                    "INSERT INTO login_attempts (login, at, fingerprint, failed)
                     VALUES ($1, $2, $3, TRUE)",
                    &[&login.as_str(), &at, &i32::from(fingerprint.0)],
                )
                .map_err(storage_error)?;
            }
            let failures: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM login_attempts
                     WHERE login = $1 AND failed AND at > $2::BIGINT - $3::BIGINT",
                    &[&login.as_str(), &at, &rule.window_seconds],
                )
                .map_err(storage_error)?
                .get(0);
            if failures >= i64::from(rule.threshold) {
                lock_login(tx, login, audit)
            } else {
                Ok(false)
            }
        })
    }

    fn clear_login_attempts(&self, login: &Login, attempt: Option<AttemptId>) -> Result<bool> {
        self.write(|tx| {
            hold_login(tx, login.as_str())?;
            tx.execute(
                "DELETE FROM login_attempts WHERE login = $1 AND (failed OR id = $2)",
                &[&login.as_str(), &attempt.map(|a| a.0)],
            )
            .map_err(storage_error)?;
            Ok(!is_locked(tx, login)?)
        })
    }
}

fn is_locked(tx: &mut Transaction, login: &Login) -> Result<bool> {
    tx.query_opt(
        "SELECT locked FROM api_users WHERE login = $1
         UNION ALL SELECT locked FROM account_users WHERE login = $1",
        &[&login.as_str()],
    )
    .map(|row| row.is_some_and(|row| row.get(0)))
    .map_err(storage_error)
}

/// Locks the principal of `login`; `Ok(true)` when this call locked it (and recorded the
/// event), `Ok(false)` when it was locked already. It runs inside the transaction of the
/// failure that reached the threshold, so it writes its event itself.
fn lock_login(tx: &mut Transaction, login: &Login, audit: &Audit) -> Result<bool> {
    for (table, action) in [
        ("api_users", AuditAction::ApiUserLocked),
        ("account_users", AuditAction::AccountUserLocked),
    ] {
        let account = tx
            .query_opt(
                &format!(
                    "UPDATE {table} SET locked = TRUE WHERE login = $1 AND NOT locked
                     RETURNING account_id"
                ),
                &[&login.as_str()],
            )
            .map_err(storage_error)?;
        if let Some(account) = account {
            let event = Event::new(AccountId(account.get(0)), action, login.as_str());
            record_event(tx, audit, &event)?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// The credential in a row of `credential_rows!`'s columns.
pub(super) fn credential_of(row: &Row) -> Result<StoredCredential> {
    let role = match row.get::<_, Option<i32>>("api_user_id") {
        Some(id) => Role::ApiUser(ApiUserId(id)),
        None => account_user_role(row.get("is_owner"), row.get("can_manage_account")),
    };
    let (account, login) = (row.get("account_id"), row.get("login"));
    Ok(StoredCredential {
        principal: stored_principal(account, login, role).map_err(corrupt)?,
        password_hash: PasswordHash(row.get("password_hash")),
        may_authenticate: row.get("may_authenticate"),
        failures_counted: row.get("failures_counted"),
        tiered_rate_limit: row.get("tiered_rate_limit"),
        last_used: row.get::<_, Option<i64>>("last_used").map(Timestamp),
    })
}
