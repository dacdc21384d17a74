//! Each login's failure budget: slots, counted failures, the sliding window and the lock.

use super::{T, account, audit, new_api_user};
use crate::domain::{Audit, Fingerprint, Login, Timestamp};
use crate::storage::{Attempt, LockoutRule, SLOT_HELD_AT_MOST_SECONDS, Store, StoredCredential};

const RULE: LockoutRule = LockoutRule {
    threshold: 5,
    window_seconds: 60,
};

fn at(seconds: i64) -> Audit {
    Audit {
        at: Timestamp(T + seconds),
        ..audit()
    }
}

/// An API user's login and the store that keeps its budget.
struct Budget<'a> {
    store: &'a dyn Store,
    login: Login,
}

impl Budget<'_> {
    fn new(store: &dyn Store) -> Budget<'_> {
        let acme = account(store, "owner@example.com");
        let user = store
            .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
            .unwrap();
        Budget {
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
        !self.stored().may_authenticate
    }

    fn failures_counted(&self) -> bool {
        self.stored().failures_counted
    }

    fn stored(&self) -> StoredCredential {
        self.store.credential(&self.login).unwrap().unwrap()
    }
}

pub fn slots_in_progress_and_failures_together_never_exceed_the_threshold(store: &dyn Store) {
    let budget = Budget::new(store);
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
        store
            .clear_login_attempts(&budget.login, Some(right))
            .unwrap()
    );
    assert!(
        matches!(budget.reserve(99, 1), Attempt::Reserved(_)),
        "a success gives its slot back"
    );
}

pub fn the_lockout_window_slides(store: &dyn Store) {
    let budget = Budget::new(store);
    assert!(!budget.fail(1, 0));
    for n in 2..=4 {
        assert!(!budget.fail(n, 55));
    }
    assert!(!budget.fail(5, 61), "the failure at 0 has left the window");
    assert!(budget.fail(6, 61), "five within the 60 seconds up to 61");
    assert!(budget.locked());
    assert_eq!(budget.reserve(7, 62), Attempt::Refused);
}

pub fn the_same_wrong_password_counts_once(store: &dyn Store) {
    let budget = Budget::new(store);
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

pub fn a_success_clears_the_count_and_a_check_that_died_gives_its_slot_back(store: &dyn Store) {
    let budget = Budget::new(store);
    for n in 0..4 {
        budget.fail(n, 0);
    }
    assert!(budget.failures_counted());
    assert!(store.clear_login_attempts(&budget.login, None).unwrap());
    assert!(!budget.failures_counted());
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

pub fn a_success_after_the_lock_is_refused(store: &dyn Store) {
    let budget = Budget::new(store);
    let Attempt::Reserved(right) = budget.reserve(100, 0) else {
        panic!("no slot");
    };
    // The right password's check outlives its slot, which is given back as a dead check's;
    // five wrong passwords lock the login before that check settles.
    for n in 0..4 {
        assert!(!budget.fail(n, SLOT_HELD_AT_MOST_SECONDS));
    }
    assert!(budget.fail(4, SLOT_HELD_AT_MOST_SECONDS));
    assert!(
        !store
            .clear_login_attempts(&budget.login, Some(right))
            .unwrap()
    );
}
