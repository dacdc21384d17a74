//! Accounts and their account users.

use super::credentials::{claim_login, forget_login_attempts, hold_login};
use super::{PostgresStore, corrupt, storage_error};
use crate::domain::{
    Account, AccountId, AccountUser, AccountUserId, Audit, AuditAction, Login, NewAccount,
    NewAccountUser, PasswordHash, Result, Timestamp,
};
use crate::storage::AccountStore;
use crate::storage::audit::Event;
use ::postgres::types::{ToSql, Type};
use ::postgres::{Row, Transaction};

/// The columns `account_user_from_row` reads, in its order.
macro_rules! account_user_columns {
    () => {
        "SELECT id, account_id, login, is_owner, can_manage_account, locked, created, last_sign_in
         FROM account_users "
    };
}

/// SQL: the account `$1` with its owner's login, and `$more` columns, as `account_of` reads.
macro_rules! account_row {
    ($($more:literal)?) => {
        concat!(
            "SELECT a.name, u.login, a.locale, a.time_zone", $(", ", $more,)?
            " FROM accounts a JOIN account_users u ON u.account_id = a.id AND u.is_owner
             WHERE a.id = $1"
        )
    };
}

/// An account, prepared once per connection.
const ACCOUNT: &str = account_row!();

/// An account, and the events counted in meter `$2` for the key `$3` from the bucket `$4` on:
/// what account info shows, in one statement prepared once per connection.
const ACCOUNT_WITH_COUNT: &str = account_row!(
    "(SELECT COALESCE(SUM(count), 0)::INTEGER FROM meter_buckets
      WHERE meter = $2 AND key = $3 AND count > 0 AND bucket >= $4)"
);

/// The account `id` in a row of `account_row!`'s columns.
fn account_of(id: AccountId, row: &Row) -> Result<Account> {
    Ok(Account {
        id,
        name: row.get(0),
        main_email: Login::parse(row.get(1), "email").map_err(corrupt)?,
        locale: row.get(2),
        time_zone: row.get(3),
    })
}

impl PostgresStore {
    /// The account `id`, and the events counted in `meter` for `key` from `first_bucket` on,
    /// in one statement.
    pub(super) fn account_with_count(
        &self,
        id: AccountId,
        meter: i16,
        key: Option<&str>,
        first_bucket: i64,
    ) -> Result<(Account, u32)> {
        let row = self.statement(|conn| {
            let types = [Type::INT8, Type::INT2, Type::TEXT, Type::INT8];
            let statement = conn.prepared(ACCOUNT_WITH_COUNT, &types)?;
            conn.query_one(&statement, &[&id.0, &meter, &key, &first_bucket])
        })?;
        let counted = u32::try_from(row.get::<_, i32>(4)).unwrap_or(0);
        Ok((account_of(id, &row)?, counted))
    }
}

fn account_user_from_row(row: &Row) -> Result<AccountUser> {
    Ok(AccountUser {
        id: AccountUserId(row.get(0)),
        account: AccountId(row.get(1)),
        login: Login::parse(row.get(2), "email").map_err(corrupt)?,
        is_owner: row.get(3),
        can_manage_account: row.get(4),
        locked: row.get(5),
        created: Timestamp(row.get(6)),
        last_sign_in: row.get::<_, Option<i64>>(7).map(Timestamp),
    })
}

impl AccountStore for PostgresStore {
    fn account(&self, id: AccountId) -> Result<Account> {
        let row = self.statement(|conn| {
            let statement = conn.prepared(ACCOUNT, &[Type::INT8])?;
            conn.query_one(&statement, &[&id.0])
        })?;
        account_of(id, &row)
    }

    fn first_account(&self) -> Result<Option<AccountId>> {
        self.run(|conn| {
            conn.query_one("SELECT MIN(id) FROM accounts", &[])
                .map(|row| row.get::<_, Option<i64>>(0).map(AccountId))
                .map_err(storage_error)
        })
    }

    fn create_account(&self, new: &NewAccount, audit: &Audit) -> Result<AccountId> {
        self.write_audited(audit, |tx| {
            claim_login(tx, &new.owner_login)?;
            let account = tx
                .query_one(
                    "INSERT INTO accounts (name, created) VALUES ($1, $2) RETURNING id",
                    &[&new.name, &Timestamp::now().seconds()],
                )
                .map(|row| AccountId(row.get(0)))
                .map_err(storage_error)?;
            tx.execute(
                "INSERT INTO account_users
                 (account_id, login, password_hash, is_owner, can_manage_account, created)
                 VALUES ($1, $2, $3, TRUE, TRUE, $4)",
                &[
                    &account.0,
                    &new.owner_login.as_str(),
                    &new.owner_password_hash.0,
                    &Timestamp::now().seconds(),
                ],
            )
            .map_err(storage_error)?;
            Ok((account, Event::account_created(account, new)))
        })
    }

    fn add_account_user(&self, new: &NewAccountUser, audit: &Audit) -> Result<()> {
        self.write_audited(audit, |tx| {
            claim_login(tx, &new.login)?;
            tx.execute(
                "INSERT INTO account_users
                 (account_id, login, password_hash, is_owner, can_manage_account, created)
                 VALUES ($1, $2, $3, FALSE, $4, $5)",
                &[
                    &new.account.0,
                    &new.login.as_str(),
                    &new.password_hash.0,
                    &new.can_manage_account,
                    &Timestamp::now().seconds(),
                ],
            )
            .map_err(storage_error)?;
            Ok(((), Event::account_user_added(new)))
        })
    }

    fn unlock_account_user(&self, login: &Login, audit: &Audit) -> Result<bool> {
        self.write_audited(audit, |tx| {
            hold_login(tx, login.as_str())?;
            let account = tx
                .query_opt(
                    "UPDATE account_users SET locked = FALSE WHERE login = $1
                     RETURNING account_id",
                    &[&login.as_str()],
                )
                .map_err(storage_error)?;
            let Some(account) = account else {
                return Ok((false, None));
            };
            forget_login_attempts(tx, login.as_str())?;
            let event = Event::new(
                AccountId(account.get(0)),
                AuditAction::AccountUserUnlocked,
                login.as_str(),
            );
            Ok((true, Some(event)))
        })
    }

    fn account_users(&self, account: AccountId) -> Result<Vec<AccountUser>> {
        self.run(|conn| {
            conn.query(
                concat!(
                    account_user_columns!(),
                    "WHERE account_id = $1 ORDER BY is_owner DESC, id"
                ),
                &[&account.0],
            )
            .map_err(storage_error)?
            .iter()
            .map(account_user_from_row)
            .collect()
        })
    }

    fn account_user(&self, account: AccountId, id: AccountUserId) -> Result<Option<AccountUser>> {
        self.run(|conn| {
            conn.query_opt(
                concat!(account_user_columns!(), "WHERE id = $1 AND account_id = $2"),
                &[&id.0, &account.0],
            )
            .map_err(storage_error)?
            .as_ref()
            .map(account_user_from_row)
            .transpose()
        })
    }

    fn account_user_by_login(&self, login: &Login) -> Result<Option<AccountUser>> {
        self.run(|conn| {
            conn.query_opt(
                concat!(account_user_columns!(), "WHERE login = $1"),
                &[&login.as_str()],
            )
            .map_err(storage_error)?
            .as_ref()
            .map(account_user_from_row)
            .transpose()
        })
    }

    fn set_can_manage_account(
        &self,
        account: AccountId,
        id: AccountUserId,
        can_manage_account: bool,
        audit: &Audit,
    ) -> Result<bool> {
        self.change_account_user(
            audit,
            (account, AuditAction::AccountUserUpdated),
            "UPDATE account_users SET can_manage_account = $3
             WHERE id = $1 AND account_id = $2 RETURNING login",
            &[&id.0, &account.0, &can_manage_account],
            |_, event| Ok(event.with_can_manage_account(can_manage_account)),
        )
    }

    fn set_account_user_password(
        &self,
        account: AccountId,
        id: AccountUserId,
        hash: &PasswordHash,
        audit: &Audit,
    ) -> Result<bool> {
        self.change_account_user(
            audit,
            (account, AuditAction::AccountUserPasswordSet),
            "UPDATE account_users SET password_hash = $3
             WHERE id = $1 AND account_id = $2 RETURNING login",
            &[&id.0, &account.0, &hash.0],
            |_, event| Ok(event),
        )
    }

    fn remove_account_user(
        &self,
        account: AccountId,
        id: AccountUserId,
        audit: &Audit,
    ) -> Result<bool> {
        // The login's row is held before the user's, as on every path that touches a login's
        // failure budget, so that no two paths can deadlock.
        self.write_audited(audit, |tx| {
            let login: Option<String> = tx
                .query_opt(
                    "SELECT login FROM account_users WHERE id = $1 AND account_id = $2",
                    &[&id.0, &account.0],
                )
                .map_err(storage_error)?
                .map(|row| row.get(0));
            let Some(login) = login else {
                return Ok((false, None));
            };
            hold_login(tx, &login)?;
            tx.execute("DELETE FROM account_users WHERE login = $1", &[&login])
                .map_err(storage_error)?;
            tx.execute("DELETE FROM logins WHERE login = $1", &[&login])
                .map_err(storage_error)?;
            let event = Event::new(account, AuditAction::AccountUserRemoved, &login);
            Ok((true, Some(event)))
        })
    }
}

impl PostgresStore {
    /// Runs `sql`, a change to one account user of `account` that returns their login, and
    /// records it as `action` with what `finish` adds (which may also write more); `Ok(false)`
    /// when no row matched.
    fn change_account_user(
        &self,
        audit: &Audit,
        (account, action): (AccountId, AuditAction),
        sql: &str,
        parameters: &[&(dyn ToSql + Sync)],
        finish: impl FnOnce(&mut Transaction, Event) -> Result<Event>,
    ) -> Result<bool> {
        self.write_audited(audit, |tx| {
            let login: Option<String> = tx
                .query_opt(sql, parameters)
                .map_err(storage_error)?
                .map(|row| row.get(0));
            let event = match login {
                Some(login) => Some(finish(tx, Event::new(account, action, &login))?),
                None => None,
            };
            Ok((event.is_some(), event))
        })
    }
}
