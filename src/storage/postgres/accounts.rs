//! Accounts and their account users.

use super::credentials::{claim_login, forget_login_attempts, hold_login};
use super::{PostgresStore, corrupt, storage_error};
use crate::domain::{
    Account, AccountId, Audit, AuditAction, Login, NewAccount, NewAccountUser, Result, Timestamp,
};
use crate::storage::AccountStore;
use crate::storage::audit::Event;

impl AccountStore for PostgresStore {
    fn account(&self, id: AccountId) -> Result<Account> {
        self.run(|conn| {
            let row = conn
                .query_one(
                    "SELECT a.name, u.login, a.locale, a.time_zone FROM accounts a
                     JOIN account_users u ON u.account_id = a.id AND u.is_owner
                     WHERE a.id = $1",
                    &[&id.0],
                )
                .map_err(storage_error)?;
            Ok(Account {
                id,
                name: row.get(0),
                main_email: Login::parse(row.get(1), "email").map_err(corrupt)?,
                locale: row.get(2),
                time_zone: row.get(3),
            })
        })
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
}
