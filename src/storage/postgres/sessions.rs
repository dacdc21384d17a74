//! The Access page's sign-in sessions.

use super::{PostgresStore, corrupt, storage_error};
use crate::domain::{Result, SessionKey, Timestamp};
use crate::storage::accounts::{account_user_role, stored_principal};
use crate::storage::sessions::opened_for_an_account_user;
use crate::storage::{NewWebSession, WebSession, WebSessionStore};

impl WebSessionStore for PostgresStore {
    fn insert_web_session(&self, new: &NewWebSession) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM web_sessions WHERE expires <= $1",
                &[&new.created.seconds()],
            )
            .map_err(storage_error)?;
            let inserted = tx
                .execute(
                    "INSERT INTO web_sessions
                     (token_hash, account_user_id, csrf_token, created, expires)
                     SELECT $1, id, $3, $4, $5 FROM account_users WHERE login = $2",
                    &[
                        &new.key.0.as_slice(),
                        &new.login.as_str(),
                        &new.csrf_token,
                        &new.created.seconds(),
                        &new.expires.seconds(),
                    ],
                )
                .map_err(storage_error)?;
            opened_for_an_account_user(inserted == 1)?;
            tx.execute(
                "UPDATE account_users SET last_sign_in = $2 WHERE login = $1",
                &[&new.login.as_str(), &new.created.seconds()],
            )
            .map_err(storage_error)?;
            Ok(())
        })
    }

    fn resume_web_session(
        &self,
        key: &SessionKey,
        now: Timestamp,
        renewed_until: Timestamp,
    ) -> Result<Option<WebSession>> {
        self.write(|tx| {
            let Some(row) = tx
                .query_opt(
                    "SELECT u.account_id, u.login, u.is_owner, u.can_manage_account,
                            s.csrf_token, s.flash
                     FROM web_sessions s JOIN account_users u ON u.id = s.account_user_id
                     WHERE s.token_hash = $1 AND s.expires > $2 AND NOT u.locked
                     FOR UPDATE OF s",
                    &[&key.0.as_slice(), &now.seconds()],
                )
                .map_err(storage_error)?
            else {
                return Ok(None);
            };
            let role = account_user_role(row.get(2), row.get(3));
            let session = WebSession {
                principal: stored_principal(row.get(0), row.get(1), role).map_err(corrupt)?,
                csrf_token: row.get(4),
                flash: row.get(5),
            };
            tx.execute(
                "UPDATE web_sessions SET expires = $2, flash = NULL WHERE token_hash = $1",
                &[&key.0.as_slice(), &renewed_until.seconds()],
            )
            .map_err(storage_error)?;
            Ok(Some(session))
        })
    }

    fn set_web_session_flash(&self, key: &SessionKey, flash: &str) -> Result<()> {
        self.run(|conn| {
            conn.execute(
                "UPDATE web_sessions SET flash = $2 WHERE token_hash = $1",
                &[&key.0.as_slice(), &flash],
            )
            .map(|_| ())
            .map_err(storage_error)
        })
    }

    fn delete_web_session(&self, key: &SessionKey) -> Result<()> {
        self.run(|conn| {
            conn.execute(
                "DELETE FROM web_sessions WHERE token_hash = $1",
                &[&key.0.as_slice()],
            )
            .map(|_| ())
            .map_err(storage_error)
        })
    }
}
