//! Accounts and their account users.

use super::credentials::{claim_login, forget_login_attempts};
use super::{SqliteStore, cached_row, corrupt, storage_error};
use crate::domain::{
    Account, AccountId, Audit, AuditAction, Login, NewAccount, NewAccountUser, Result, Timestamp,
};
use crate::storage::AccountStore;
use crate::storage::audit::Event;
use rusqlite::{OptionalExtension, params};

fn now() -> i64 {
    Timestamp::now().seconds()
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
}
