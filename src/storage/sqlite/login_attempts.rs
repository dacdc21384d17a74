use super::{SqliteStore, lock_login, storage_error};
use crate::domain::{Audit, Login, Result, Timestamp};
use crate::storage::login_attempts::{
    Attempt, AttemptId, Fingerprint, LockoutRule, LoginAttemptStore, SLOT_HELD_AT_MOST_SECONDS,
};
use rusqlite::{OptionalExtension, Transaction, params};

impl LoginAttemptStore for SqliteStore {
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
            let fingerprints: Vec<u16> = tx
                .prepare_cached("SELECT fingerprint FROM login_attempts WHERE login = ?1")
                .and_then(|mut statement| {
                    statement
                        .query_map([login.as_str()], |row| row.get(0))?
                        .collect()
                })
                .map_err(storage_error)?;
            if fingerprints.contains(&fingerprint.0) {
                return Ok(Attempt::Repeated);
            }
            if fingerprints.len() >= usize::try_from(rule.threshold).unwrap_or(usize::MAX) {
                return Ok(Attempt::Refused);
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

/// Forgets every counted failure and slot of a login: after an unlock or a new password.
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

#[cfg(test)]
mod tests {
    use super::super::tests::{account, audit, new_api_user, store};
    use super::*;
    use crate::domain::Audit;
    use crate::storage::Store;

    const RULE: LockoutRule = LockoutRule {
        threshold: 5,
        window_seconds: 60,
    };
    const T: i64 = 1_800_000_000;

    fn at(seconds: i64) -> Audit {
        Audit {
            at: Timestamp(T + seconds),
            ..audit()
        }
    }

    struct Budget {
        _dir: tempfile::TempDir,
        store: SqliteStore,
        login: Login,
    }

    impl Budget {
        fn new() -> Budget {
            let (dir, store) = store();
            let acme = account(&store, "owner@example.com");
            let user = store
                .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
                .unwrap();
            Budget {
                _dir: dir,
                store,
                login: user.login,
            }
        }

        fn reserve(&self, fingerprint: u16, seconds: i64) -> Attempt {
            self.store
                .reserve_login_attempt(
                    &self.login,
                    Fingerprint(fingerprint),
                    Timestamp(T + seconds),
                    RULE,
                )
                .unwrap()
        }

        /// A wrong password checked at `seconds`; true when it locked the login.
        fn fail(&self, fingerprint: u16, seconds: i64) -> bool {
            let Attempt::Reserved(id) = self.reserve(fingerprint, seconds) else {
                panic!("no slot for {fingerprint} at {seconds}");
            };
            self.store
                .count_failed_attempt(
                    id,
                    &self.login,
                    Fingerprint(fingerprint),
                    RULE,
                    &at(seconds),
                )
                .unwrap()
        }

        fn locked(&self) -> bool {
            !self
                .store
                .credential(self.login.as_str())
                .unwrap()
                .unwrap()
                .may_authenticate
        }
    }

    #[test]
    fn slots_in_progress_and_failures_together_never_exceed_the_threshold() {
        let budget = Budget::new();
        let slots: Vec<_> = (0..5).map(|n| budget.reserve(n, 0)).collect();
        assert!(slots.iter().all(|a| matches!(a, Attempt::Reserved(_))));
        assert_eq!(
            budget.reserve(99, 0),
            Attempt::Refused,
            "a sixth check waits for none"
        );
        let Attempt::Reserved(right) = slots[4] else {
            unreachable!()
        };
        assert!(
            budget
                .store
                .clear_login_attempts(&budget.login, Some(right))
                .unwrap()
        );
        assert!(
            matches!(budget.reserve(99, 1), Attempt::Reserved(_)),
            "a success gives its slot back"
        );
    }

    #[test]
    fn the_lockout_window_slides() {
        let budget = Budget::new();
        assert!(!budget.fail(1, 0));
        for n in 2..=4 {
            assert!(!budget.fail(n, 55));
        }
        assert!(!budget.fail(5, 61), "the failure at 0 has left the window");
        assert!(budget.fail(6, 61), "five within the 60 seconds up to 61");
        assert!(budget.locked());
        assert_eq!(budget.reserve(7, 62), Attempt::Refused);
    }

    #[test]
    fn the_same_wrong_password_counts_once() {
        let budget = Budget::new();
        assert!(!budget.fail(42, 0));
        for second in 1..=8 {
            assert_eq!(budget.reserve(42, second), Attempt::Repeated);
        }
        assert!(!budget.locked());
        for n in 1..=3 {
            assert!(!budget.fail(n, 10));
        }
        assert!(
            budget.fail(4, 10),
            "the fifth different wrong password locks"
        );
    }

    #[test]
    fn a_success_clears_the_count_and_a_check_that_died_gives_its_slot_back() {
        let budget = Budget::new();
        for n in 0..4 {
            budget.fail(n, 0);
        }
        assert!(
            budget
                .store
                .credential("shop@x.example")
                .unwrap()
                .unwrap()
                .failures_counted
        );
        assert!(
            budget
                .store
                .clear_login_attempts(&budget.login, None)
                .unwrap()
        );
        assert!(
            !budget
                .store
                .credential("shop@x.example")
                .unwrap()
                .unwrap()
                .failures_counted
        );
        for n in 0..5 {
            assert!(matches!(budget.reserve(n, 0), Attempt::Reserved(_)));
        }
        assert_eq!(
            budget.reserve(9, SLOT_HELD_AT_MOST_SECONDS - 1),
            Attempt::Refused
        );
        assert!(matches!(
            budget.reserve(9, SLOT_HELD_AT_MOST_SECONDS),
            Attempt::Reserved(_)
        ));
    }

    #[test]
    fn a_success_after_the_lock_is_refused() {
        let budget = Budget::new();
        let Attempt::Reserved(right) = budget.reserve(100, 0) else {
            panic!("no slot");
        };
        for n in 0..4 {
            budget.fail(n, 0);
        }
        // The fifth failure lands while the right password is still being checked.
        budget
            .store
            .write(|tx| super::super::lock_login(tx, &budget.login, &audit()))
            .unwrap();
        assert!(
            !budget
                .store
                .clear_login_attempts(&budget.login, Some(right))
                .unwrap()
        );
    }
}
