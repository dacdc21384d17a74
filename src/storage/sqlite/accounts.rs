//! Accounts and their account users.

use super::credentials::{claim_login, forget_login_attempts};
use super::{SqliteStore, cached_row, cached_rows, corrupt, storage_error};
use crate::domain::{
    Account, AccountId, AccountUser, AccountUserId, Audit, AuditAction, Login, NewAccount,
    NewAccountUser, PasswordHash, Result, Timestamp,
};
use crate::storage::AccountStore;
use crate::storage::audit::Event;
use rusqlite::{OptionalExtension, Params, Row, Transaction, params};

/// The columns `account_user_from_row` reads, in its order.
macro_rules! account_user_columns {
    () => {
        "SELECT id, account_id, login, is_owner, can_manage_account, locked, created, last_sign_in
         FROM account_users "
    };
}

fn account_user_from_row(row: &Row) -> rusqlite::Result<AccountUser> {
    let login: String = row.get(2)?;
    Ok(AccountUser {
        id: AccountUserId(row.get(0)?),
        account: AccountId(row.get(1)?),
        login: Login::parse(&login, "email").map_err(corrupt)?,
        is_owner: row.get(3)?,
        can_manage_account: row.get(4)?,
        locked: row.get(5)?,
        created: Timestamp(row.get(6)?),
        last_sign_in: row.get::<_, Option<i64>>(7)?.map(Timestamp),
    })
}

fn now() -> i64 {
    Timestamp::now().seconds()
}

impl SqliteStore {
    /// Runs `sql`, a change to one account user of `account` that returns their login, and
    /// records it as `action` with what `finish` adds (which may also write more); `Ok(false)`
    /// when no row matched.
    fn change_account_user(
        &self,
        audit: &Audit,
        (account, action): (AccountId, AuditAction),
        sql: &str,
        parameters: impl Params,
        finish: impl FnOnce(&Transaction, Event) -> Result<Event>,
    ) -> Result<bool> {
        self.write_audited(audit, |tx| {
            let login: Option<String> = tx
                .query_row(sql, parameters, |row| row.get(0))
                .optional()
                .map_err(storage_error)?;
            let event = match login {
                Some(login) => Some(finish(tx, Event::new(account, action, &login))?),
                None => None,
            };
            Ok((event.is_some(), event))
        })
    }
}

impl AccountStore for SqliteStore {
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
        self.write_audited(audit, |tx| {
            claim_login(tx, &new.owner_login)?;
            let account = tx
                .query_row(
                    "INSERT INTO accounts (name, created) VALUES (?1, ?2) RETURNING id",
                    params![new.name, now()],
                    |row| row.get(0),
                )
                .map(AccountId)
                .map_err(storage_error)?;
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
            Ok((account, Event::account_created(account, new)))
        })
    }

    fn add_account_user(&self, new: &NewAccountUser, audit: &Audit) -> Result<()> {
        self.write_audited(audit, |tx| {
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
            Ok(((), Event::account_user_added(new)))
        })
    }

    fn unlock_account_user(&self, login: &Login, audit: &Audit) -> Result<bool> {
        self.write_audited(audit, |tx| {
            let account: Option<i64> = tx
                .query_row(
                    "UPDATE account_users SET locked = 0 WHERE login = ?1 RETURNING account_id",
                    [login.as_str()],
                    |row| row.get(0),
                )
                .optional()
                .map_err(storage_error)?;
            let Some(account) = account else {
                return Ok((false, None));
            };
            forget_login_attempts(tx, login.as_str())?;
            let event = Event::new(
                AccountId(account),
                AuditAction::AccountUserUnlocked,
                login.as_str(),
            );
            Ok((true, Some(event)))
        })
    }

    fn account_users(&self, account: AccountId) -> Result<Vec<AccountUser>> {
        self.read(|conn| {
            cached_rows(
                conn,
                concat!(
                    account_user_columns!(),
                    "WHERE account_id = ?1 ORDER BY is_owner DESC, id"
                ),
                [account.0],
                account_user_from_row,
            )
        })
    }

    fn account_user(&self, account: AccountId, id: AccountUserId) -> Result<Option<AccountUser>> {
        self.read(|conn| {
            cached_row(
                conn,
                concat!(account_user_columns!(), "WHERE id = ?1 AND account_id = ?2"),
                [id.0, account.0],
                account_user_from_row,
            )
            .optional()
            .map_err(storage_error)
        })
    }

    fn account_user_by_login(&self, login: &Login) -> Result<Option<AccountUser>> {
        self.read(|conn| {
            cached_row(
                conn,
                concat!(account_user_columns!(), "WHERE login = ?1"),
                [login.as_str()],
                account_user_from_row,
            )
            .optional()
            .map_err(storage_error)
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
            "UPDATE account_users SET can_manage_account = ?3
             WHERE id = ?1 AND account_id = ?2 RETURNING login",
            params![id.0, account.0, can_manage_account],
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
            "UPDATE account_users SET password_hash = ?3
             WHERE id = ?1 AND account_id = ?2 RETURNING login",
            params![id.0, account.0, hash.0],
            |_, event| Ok(event),
        )
    }

    fn remove_account_user(
        &self,
        account: AccountId,
        id: AccountUserId,
        audit: &Audit,
    ) -> Result<bool> {
        self.change_account_user(
            audit,
            (account, AuditAction::AccountUserRemoved),
            "DELETE FROM account_users WHERE id = ?1 AND account_id = ?2 RETURNING login",
            params![id.0, account.0],
            |tx, event| {
                tx.execute("DELETE FROM logins WHERE login = ?1", [&event.target])
                    .map_err(storage_error)?;
                Ok(event)
            },
        )
    }
}
