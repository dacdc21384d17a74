//! The Access page's sign-in sessions.

use super::{account, audit, lock, login};
use crate::domain::{Error, NewAccountUser, PasswordHash, Role, SessionKey, Timestamp};
use crate::storage::{NewWebSession, Store};

fn session(key: u8, who: &str, created: i64, expires: i64) -> NewWebSession {
    NewWebSession {
        key: SessionKey([key; 32]),
        login: login(who),
        csrf_token: format!("csrf-{key}"),
        created: Timestamp(created),
        expires: Timestamp(expires),
    }
}

pub fn a_session_lives_until_it_expires_and_each_use_renews_it(store: &dyn Store) {
    let account = account(store, "owner@example.com");
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

pub fn the_principal_is_read_as_stored_now(store: &dyn Store) {
    let account = account(store, "owner@example.com");
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

pub fn a_locked_account_users_sessions_open_nothing(store: &dyn Store) {
    account(store, "owner@example.com");
    store
        .insert_web_session(&session(7, "owner@example.com", 100, 200))
        .unwrap();
    assert!(lock(store, &login("owner@example.com")));
    let resumed = store.resume_web_session(&SessionKey([7; 32]), Timestamp(110), Timestamp(200));
    assert!(resumed.unwrap().is_none());
}

pub fn a_flash_is_shown_once_and_deleted_sessions_are_gone(store: &dyn Store) {
    account(store, "owner@example.com");
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

pub fn opening_a_session_drops_expired_ones_and_needs_an_account_user(store: &dyn Store) {
    account(store, "owner@example.com");
    store
        .insert_web_session(&session(4, "owner@example.com", 100, 200))
        .unwrap();
    store
        .insert_web_session(&session(5, "owner@example.com", 300, 400))
        .unwrap();
    let resumes = |key: u8, now: i64| {
        store
            .resume_web_session(&SessionKey([key; 32]), Timestamp(now), Timestamp(now))
            .unwrap()
            .is_some()
    };
    assert!(!resumes(4, 150), "dropped when session 5 was opened at 300");
    assert!(resumes(5, 350));
    let stranger = store.insert_web_session(&session(6, "nobody@example.com", 300, 400));
    assert!(matches!(stranger, Err(Error::Unknown(_))));
}

pub fn opening_a_session_records_the_sign_in_and_removal_ends_it(store: &dyn Store) {
    let account = account(store, "owner@example.com");
    let clerk = NewAccountUser {
        account,
        login: login("clerk@example.com"),
        password_hash: PasswordHash("$2b$04$hash".into()),
        can_manage_account: true,
    };
    store.add_account_user(&clerk, &audit()).unwrap();
    store
        .insert_web_session(&session(3, "clerk@example.com", 100, 200))
        .unwrap();
    let user = store.account_user_by_login(&clerk.login).unwrap().unwrap();
    assert_eq!(user.last_sign_in, Some(Timestamp(100)));
    let owner = store.account_users(account).unwrap().remove(0);
    assert_eq!(owner.last_sign_in, None, "only the one who signed in");
    assert!(
        store
            .remove_account_user(account, user.id, &audit())
            .unwrap()
    );
    let key = SessionKey([3; 32]);
    let resumed = store.resume_web_session(&key, Timestamp(101), Timestamp(200));
    assert!(
        resumed.unwrap().is_none(),
        "a removed user's session opens nothing"
    );
}
