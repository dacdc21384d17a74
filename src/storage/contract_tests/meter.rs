//! The meter: sliding windows to the bucket, the standing's figures, reservations given back,
//! exact admission when many threads over two store handles count at once, and a call read
//! with its credential and judged in one go.

use super::{T, account, audit, lock, login, new_api_user};
use crate::domain::{ApiUserId, NewApiUser, Role, Timestamp};
use crate::storage::{CallLimit, CallLimits, FailureLimit, Standing, Store};
use std::sync::atomic::{AtomicU32, Ordering};

const USER: ApiUserId = ApiUserId(7);
const MINUTE: i64 = 60;
const HOUR: i64 = 3600;

fn at(seconds: i64) -> Timestamp {
    Timestamp(T + seconds)
}

fn tiered(per_minute: u32) -> CallLimit {
    CallLimit::Tiered { per_minute }
}

fn flat(per_hour: u32) -> CallLimit {
    CallLimit::Flat { per_hour }
}

fn call(store: &dyn Store, seconds: i64, limit: CallLimit) -> Result<Standing, Standing> {
    store.meter().admit_call(USER, at(seconds), limit).unwrap()
}

fn last_hour(store: &dyn Store, seconds: i64) -> u32 {
    store.meter().calls_in_last_hour(USER, at(seconds)).unwrap()
}

pub fn the_rolling_hour_counts_tiered_and_flat_calls_alike(store: &dyn Store) {
    assert!(call(store, 0, flat(100)).is_ok());
    assert!(call(store, 0, tiered(100)).is_ok());
    assert!(call(store, 30 * MINUTE, flat(100)).is_ok());
    assert_eq!(last_hour(store, 30 * MINUTE), 3);
    assert_eq!(last_hour(store, 61 * MINUTE), 1);
    assert_eq!(last_hour(store, 91 * MINUTE), 0);
    let other = store.meter().calls_in_last_hour(ApiUserId(8), at(0));
    assert_eq!(other.unwrap(), 0);
    let refused = call(store, 31 * MINUTE, flat(3)).unwrap_err();
    assert_eq!(refused.limit, 3);
    assert_eq!(
        i64::from(refused.reset_seconds),
        30 * MINUTE,
        "the calls at 0 leave the hour (and its extra minute) at 61 minutes"
    );
}

pub fn the_minute_edge_lets_no_burst_through_and_the_figures_follow(store: &dyn Store) {
    // T is a whole minute: 59 is its last second, 60 the next minute's first.
    let first = call(store, 59, tiered(3)).unwrap();
    assert_eq!(
        first,
        Standing {
            limit: 3,
            remaining: 2,
            reset_seconds: 61
        }
    );
    assert_eq!(call(store, 59, tiered(3)).unwrap().remaining, 1);
    let admitted = (0..3)
        .filter(|_| call(store, 60, tiered(3)).is_ok())
        .count();
    assert_eq!(admitted, 1, "2 at :59 and 3 at :00 admit only 3 in all");
    let refused = call(store, 60, tiered(3)).unwrap_err();
    assert_eq!((refused.remaining, refused.reset_seconds), (0, 60));
    assert!(
        call(store, 120, tiered(3)).is_ok(),
        "the :59 calls have left"
    );
    assert_eq!(call(store, 120, tiered(3)).unwrap().remaining, 0);
}

pub fn no_span_of_the_window_holds_more_than_the_limit(store: &dyn Store) {
    for (user, window, step, limit) in [(1, MINUTE, 1, tiered(5)), (2, HOUR, 17, flat(5))] {
        let admitted: Vec<i64> = (0..window * 4 / step)
            .map(|n| 7 + n * step)
            .filter(|&s| {
                let meter = store.meter();
                meter
                    .admit_call(ApiUserId(user), at(s), limit)
                    .unwrap()
                    .is_ok()
            })
            .collect();
        assert!(
            admitted.len() >= 15,
            "the limit is reached window after window"
        );
        for &from in &admitted {
            let within = admitted
                .iter()
                .filter(|&&s| s >= from && s <= from + window)
                .count();
            assert!(within <= 5, "{within} admitted within {window} s of {from}");
        }
    }
}

const ADDRESS: &str = "192.0.2.7";
const FAILURES: FailureLimit = FailureLimit {
    limit: 2,
    window_minutes: 15,
};

pub fn an_address_is_blocked_at_its_limit_and_a_released_reservation_no_longer_counts(
    store: &dyn Store,
) {
    let meter = store.meter();
    let reserve = |seconds| meter.reserve_failed_login(ADDRESS, at(seconds), FAILURES);
    let blocked = |seconds| meter.address_blocked_for(ADDRESS, at(seconds), FAILURES);
    assert!(reserve(5).unwrap().is_ok());
    assert_eq!(blocked(5).unwrap(), None);
    assert!(reserve(5).unwrap().is_ok());
    assert_eq!(
        blocked(5).unwrap(),
        Some(16 * 60 - 5),
        "both leave the 15 minutes (and the extra one) at 16 minutes"
    );
    let refused = reserve(6).unwrap().unwrap_err();
    assert_eq!((refused.limit, refused.reset_seconds), (2, 16 * 60 - 6));
    meter
        .release_failed_login(ADDRESS, at(5), FAILURES)
        .unwrap();
    assert_eq!(blocked(6).unwrap(), None);
    assert!(reserve(6).unwrap().is_ok());
    let elsewhere = meter.address_blocked_for("2001:db8::1", at(6), FAILURES);
    assert_eq!(elsewhere.unwrap(), None);
    assert_eq!(blocked(16 * 60).unwrap(), None, "the window moved on");
}

/// Attempts that arrive at once, spread over two handles of one database: one store opened
/// twice (two pools), as two gateway instances hold it. A backend whose counters are its
/// process's passes the same handle twice. They are stamped with two seconds in turn, as
/// threads and instances whose clocks read a second apart stamp them: one stamped a second
/// earlier than another already counted is judged with it.
pub fn attempts_at_once_over_two_handles_are_admitted_exactly_at_the_limit(
    first: &dyn Store,
    second: &dyn Store,
) {
    const THREADS: u32 = 16;
    const EACH: u32 = 250;
    let (calls, failures) = (AtomicU32::new(0), AtomicU32::new(0));
    let limit = FailureLimit {
        limit: 60,
        window_minutes: 1,
    };
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let (calls, failures) = (&calls, &failures);
            let store = if thread % 2 == 0 { first } else { second };
            scope.spawn(move || {
                for n in 0..EACH {
                    let seconds = i64::from(n % 2);
                    if call(store, seconds, tiered(600)).is_ok() {
                        calls.fetch_add(1, Ordering::Relaxed);
                    }
                    if n % 4 == 0 {
                        let meter = store.meter();
                        if meter
                            .reserve_failed_login(ADDRESS, at(0), limit)
                            .unwrap()
                            .is_ok()
                        {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    assert_eq!(calls.into_inner(), 600, "of {} calls", THREADS * EACH);
    assert_eq!(last_hour(first, 1), 600);
    assert_eq!(last_hour(second, 1), 600);
    let refused = call(second, 2, tiered(600)).unwrap_err();
    assert_eq!(refused.reset_seconds, 59, "the calls at 0 leave at 61");
    assert_eq!(
        failures.into_inner(),
        60,
        "of {} reservations",
        THREADS * EACH / 4
    );
    assert!(
        first
            .meter()
            .address_blocked_for(ADDRESS, at(0), limit)
            .unwrap()
            .is_some()
    );
}

pub fn a_call_is_read_with_its_credential_and_judged_ahead_of_the_check(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    let tiered_user = store
        .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
        .unwrap();
    let flat = NewApiUser {
        tiered_rate_limit: false,
        ..new_api_user(acme, "erp@x.example")
    };
    let flat_user = store.insert_api_user(&flat, &audit()).unwrap();
    let limits = CallLimits {
        tiered_per_minute: 2,
        flat_per_hour: 1,
        failures: FAILURES,
    };
    let read = |who: &str, address: Option<&str>, seconds| {
        let read = store.read_for_call(&login(who), address, at(seconds), limits);
        read.unwrap()
    };
    let hour = |user: ApiUserId| store.meter().calls_in_last_hour(user, at(2)).unwrap();
    let standing = |remaining, reset_seconds| Standing {
        limit: 2,
        remaining,
        reset_seconds,
    };

    let first = read("shop@x.example", Some(ADDRESS), 0);
    let role = first.credential.unwrap().principal.role;
    assert_eq!(role, Role::ApiUser(tiered_user.id));
    assert_eq!(first.admission, Some(Ok(standing(1, 61))));
    let meter = store.meter();
    let wrong_password = meter.release_call(tiered_user.id, at(0), limits.for_scheme(true));
    wrong_password.unwrap();
    assert_eq!(
        hour(tiered_user.id),
        0,
        "a call whose check failed is given back"
    );
    assert_eq!(
        read("shop@x.example", None, 0).admission,
        Some(Ok(standing(1, 61)))
    );
    assert_eq!(
        read("shop@x.example", None, 1).admission,
        Some(Ok(standing(0, 60)))
    );
    assert_eq!(
        read("shop@x.example", None, 1).admission,
        Some(Err(standing(0, 60)))
    );
    assert_eq!(hour(tiered_user.id), 2);

    let flat_read = read("erp@x.example", Some(ADDRESS), 0);
    let flat_standing = flat_read.admission.unwrap().unwrap();
    assert_eq!(
        (flat_standing.limit, flat_standing.reset_seconds),
        (1, 3660)
    );
    let refused = read("erp@x.example", None, 1)
        .admission
        .unwrap()
        .unwrap_err();
    assert_eq!((refused.limit, refused.reset_seconds), (1, 3659));
    assert_eq!(hour(flat_user.id), 1);

    let owner = read("owner@example.com", Some(ADDRESS), 1);
    assert_eq!(owner.credential.unwrap().principal.role, Role::Owner);
    assert_eq!(owner.admission, None, "account users are not rate limited");
    let nobody = read("nobody@x.example", Some(ADDRESS), 1);
    assert!(nobody.credential.is_none() && nobody.admission.is_none());

    for _ in 0..2 {
        let reserved = meter.reserve_failed_login(ADDRESS, at(1), FAILURES);
        reserved.unwrap().unwrap();
    }
    let blocked = read("shop@x.example", Some(ADDRESS), 2);
    assert_eq!(blocked.address_blocked_for, Some(16 * 60 - 2));
    assert!(blocked.credential.is_none() && blocked.admission.is_none());
    let elsewhere = read("erp@x.example", Some("2001:db8::1"), 2);
    assert_eq!(elsewhere.address_blocked_for, None);
    assert_eq!(
        elsewhere.credential.unwrap().principal.login.as_str(),
        "erp@x.example"
    );
    assert_eq!(
        (hour(tiered_user.id), hour(flat_user.id)),
        (2, 1),
        "nothing counted"
    );

    assert!(lock(store, &login("shop@x.example")));
    let locked = read("shop@x.example", None, 120);
    assert!(!locked.credential.unwrap().may_authenticate);
    assert_eq!(
        locked.admission, None,
        "a locked user's call is not counted"
    );
}

pub fn account_info_reads_the_account_and_an_api_users_last_hour(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    let user = store
        .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
        .unwrap()
        .id;
    for seconds in 0..3 {
        let admitted = store.meter().admit_call(user, at(seconds), tiered(100));
        assert!(admitted.unwrap().is_ok());
    }
    let (read, calls) = store.account_with_calls(acme, Some(user), at(2)).unwrap();
    assert_eq!(read, store.account(acme).unwrap());
    assert_eq!(read.main_email.as_str(), "owner@example.com");
    assert_eq!(calls, 3);
    let later = store.account_with_calls(acme, Some(user), at(61 * MINUTE + 3));
    assert_eq!(later.unwrap().1, 0, "the calls left the rolling hour");
    let owner = store.account_with_calls(acme, None, at(2)).unwrap();
    assert_eq!(owner, (read, 0), "no API user, no calls");
}
