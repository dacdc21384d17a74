//! Accounts, account users, and the one namespace of logins they share with API users.

use super::{account, audit, lock, login, new_api_user};
use crate::domain::{AuditAction, Error, NewAccountUser, Paging, PasswordHash};
use crate::storage::Store;

pub fn a_store_that_opened_answers_a_ping(store: &dyn Store) {
    assert_eq!(store.ping(), Ok(()));
    account(store, "owner@example.com");
    assert_eq!(store.ping(), Ok(()));
}

pub fn a_login_is_unique_across_account_users_and_api_users(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    assert_eq!(
        store
            .insert_api_user(&new_api_user(acme, "OWNER@example.com"), &audit())
            .map(|_| ()),
        Err(Error::ApiUserExists)
    );
    store
        .insert_api_user(&new_api_user(acme, "shop@example.com"), &audit())
        .unwrap();
    let clash = NewAccountUser {
        account: acme,
        login: login("shop@example.com"),
        password_hash: PasswordHash("x".into()),
        can_manage_account: false,
    };
    assert_eq!(
        store.add_account_user(&clash, &audit()),
        Err(Error::ApiUserExists)
    );
}

pub fn a_lock_holds_until_an_unlock_which_forgets_the_failures(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    let user = store
        .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
        .unwrap();
    assert!(lock(store, &user.login));
    assert!(!lock(store, &user.login), "locked once");
    let events = store
        .list_audit_events(acme, Paging::parse(None, None).unwrap())
        .unwrap();
    let locks = events
        .iter()
        .filter(|e| e.action == AuditAction::ApiUserLocked);
    assert_eq!(locks.count(), 1, "one event for one lock");
    let stored = store.credential(&login("SHOP@x.example")).unwrap().unwrap();
    assert!(!stored.may_authenticate);
    store.unlock_api_user(acme, user.id, &audit()).unwrap();
    let stored = store.credential(&user.login).unwrap().unwrap();
    assert!(stored.may_authenticate);
    assert!(!stored.failures_counted);
    let owner = login("owner@example.com");
    assert!(lock(store, &owner));
    assert!(!store.credential(&owner).unwrap().unwrap().may_authenticate);
    assert!(store.unlock_account_user(&owner, &audit()).unwrap());
    assert!(
        !store
            .unlock_account_user(&login("nobody@example.com"), &audit())
            .unwrap()
    );
}
