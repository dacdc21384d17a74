use super::{SqliteStore, corrupt, storage_error};
use crate::domain::{AccountId, Error, Login, Principal, Result, Role, Timestamp};
use crate::storage::web_sessions::{NewWebSession, SessionKey, WebSession, WebSessionStore};
use rusqlite::{OptionalExtension, params};

impl WebSessionStore for SqliteStore {
    fn insert_web_session(&self, new: &NewWebSession) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM web_sessions WHERE expires <= ?1",
                [new.created.seconds()],
            )
            .map_err(storage_error)?;
            let inserted = tx
                .execute(
                    "INSERT INTO web_sessions
                     (token_hash, account_user_id, csrf_token, created, expires)
                     SELECT ?1, id, ?3, ?4, ?5 FROM account_users WHERE login = ?2",
                    params![
                        new.key.0,
                        new.login.as_str(),
                        new.csrf_token,
                        new.created.seconds(),
                        new.expires.seconds()
                    ],
                )
                .map_err(storage_error)?;
            if inserted == 0 {
                return Err(Error::unknown(
                    "a web session for a login with no account user",
                ));
            }
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
            let session = tx
                .query_row(
                    "SELECT u.account_id, u.login, u.is_owner, u.can_manage_account,
                            s.csrf_token, s.flash
                     FROM web_sessions s JOIN account_users u ON u.id = s.account_user_id
                     WHERE s.token_hash = ?1 AND s.expires > ?2 AND u.locked = 0",
                    params![key.0, now.seconds()],
                    |row| {
                        let login: String = row.get(1)?;
                        let role = if row.get(2)? {
                            Role::Owner
                        } else {
                            Role::AccountUser {
                                can_manage_account: row.get(3)?,
                            }
                        };
                        Ok(WebSession {
                            principal: Principal {
                                account: AccountId(row.get(0)?),
                                login: Login::parse(&login, "email").map_err(corrupt)?,
                                role,
                            },
                            csrf_token: row.get(4)?,
                            flash: row.get(5)?,
                        })
                    },
                )
                .optional()
                .map_err(storage_error)?;
            if session.is_some() {
                tx.execute(
                    "UPDATE web_sessions SET expires = ?2, flash = NULL WHERE token_hash = ?1",
                    params![key.0, renewed_until.seconds()],
                )
                .map_err(storage_error)?;
            }
            Ok(session)
        })
    }

    fn set_web_session_flash(&self, key: &SessionKey, flash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE web_sessions SET flash = ?2 WHERE token_hash = ?1",
                params![key.0, flash],
            )
            .map_err(storage_error)?;
            Ok(())
        })
    }

    fn delete_web_session(&self, key: &SessionKey) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM web_sessions WHERE token_hash = ?1", [key.0])
                .map_err(storage_error)?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::CLI_ACTOR;
    use crate::domain::{Audit, NewAccount, NewAccountUser, Origin, PasswordHash};
    use crate::storage::Store;
    use crate::storage::sqlite::lock_login;

    fn audit() -> Audit {
        Audit {
            actor: CLI_ACTOR.into(),
            origin: Origin::cli(),
            at: Timestamp(100),
        }
    }

    fn store_with_owner() -> (tempfile::TempDir, SqliteStore, AccountId) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("test.db")).unwrap();
        let account = store
            .create_account(
                &NewAccount {
                    name: "Acme".into(),
                    owner_login: login("owner@example.com"),
                    owner_password_hash: PasswordHash("$2b$04$hash".into()),
                },
                &audit(),
            )
            .unwrap();
        (dir, store, account)
    }

    fn login(text: &str) -> Login {
        Login::parse(text, "email").unwrap()
    }

    fn session(key: u8, who: &str, created: i64, expires: i64) -> NewWebSession {
        NewWebSession {
            key: SessionKey([key; 32]),
            login: login(who),
            csrf_token: format!("csrf-{key}"),
            created: Timestamp(created),
            expires: Timestamp(expires),
        }
    }

    #[test]
    fn a_session_lives_until_it_expires_and_each_use_renews_it() {
        let (_dir, store, account) = store_with_owner();
        store
            .insert_web_session(&session(1, "owner@example.com", 100, 200))
            .unwrap();
        let key = SessionKey([1; 32]);
        let live = store
            .resume_web_session(&key, Timestamp(150), Timestamp(250))
            .unwrap()
            .expect("live at 150");
        assert_eq!(live.principal.account, account);
        assert_eq!(live.principal.role, Role::Owner);
        assert_eq!(live.csrf_token, "csrf-1");
        let renewed = store.resume_web_session(&key, Timestamp(240), Timestamp(300));
        assert!(renewed.unwrap().is_some(), "renewed to 250 at 150");
        assert!(
            store
                .resume_web_session(&key, Timestamp(300), Timestamp(400))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn the_principal_is_read_as_stored_now() {
        let (_dir, store, account) = store_with_owner();
        store
            .add_account_user(
                &NewAccountUser {
                    account,
                    login: login("clerk@example.com"),
                    password_hash: PasswordHash("$2b$04$hash".into()),
                    can_manage_account: false,
                },
                &audit(),
            )
            .unwrap();
        store
            .insert_web_session(&session(2, "clerk@example.com", 100, 200))
            .unwrap();
        let resumed = store
            .resume_web_session(&SessionKey([2; 32]), Timestamp(101), Timestamp(200))
            .unwrap()
            .unwrap();
        assert_eq!(
            resumed.principal.role,
            Role::AccountUser {
                can_manage_account: false
            }
        );
    }

    #[test]
    fn a_locked_account_users_sessions_open_nothing() {
        let (_dir, store, _) = store_with_owner();
        store
            .insert_web_session(&session(7, "owner@example.com", 100, 200))
            .unwrap();
        store
            .write(|tx| lock_login(tx, &login("owner@example.com"), &audit()))
            .unwrap();
        let resumed =
            store.resume_web_session(&SessionKey([7; 32]), Timestamp(110), Timestamp(200));
        assert!(resumed.unwrap().is_none());
    }

    #[test]
    fn a_flash_is_shown_once_and_deleted_sessions_are_gone() {
        let (_dir, store, _) = store_with_owner();
        store
            .insert_web_session(&session(3, "owner@example.com", 100, 200))
            .unwrap();
        let key = SessionKey([3; 32]);
        store.set_web_session_flash(&key, "Saved.").unwrap();
        let resume = || {
            store
                .resume_web_session(&key, Timestamp(110), Timestamp(200))
                .unwrap()
        };
        assert_eq!(resume().unwrap().flash.as_deref(), Some("Saved."));
        assert_eq!(resume().unwrap().flash, None);
        store.delete_web_session(&key).unwrap();
        assert!(resume().is_none());
    }

    #[test]
    fn opening_a_session_drops_expired_ones_and_needs_an_account_user() {
        let (dir, store, _) = store_with_owner();
        store
            .insert_web_session(&session(4, "owner@example.com", 100, 200))
            .unwrap();
        store
            .insert_web_session(&session(5, "owner@example.com", 300, 400))
            .unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("test.db")).unwrap();
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM web_sessions", [], |row| row.get(0))
            .unwrap();
        assert_eq!(count, 1);
        let stranger = store.insert_web_session(&session(6, "nobody@example.com", 300, 400));
        assert!(matches!(stranger, Err(Error::Unknown(_))));
    }
}
