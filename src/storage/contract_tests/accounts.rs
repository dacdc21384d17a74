//! Accounts, account users, and the one namespace of logins they share with API users.

use super::{account, audit, lock, login, new_api_user, trail};
use crate::domain::{AuditAction, AuditFilter, Error, NewAccountUser, PasswordHash};
use crate::storage::Store;

pub fn a_store_that_opened_answers_a_ping(store: &dyn Store) {
    assert_eq!(store.ping(), Ok(()));
    account(store, "owner@example.com");
    assert_eq!(store.ping(), Ok(()));
}

/// Every connection taken from the pool is counted with the time it took, and the pool says
/// how many it holds and lends out.
pub fn checkouts_are_counted_with_their_wait(store: &dyn Store) {
    let before = store.pool_use();
    store.ping().unwrap();
    account(store, "owner@example.com");
    let after = store.pool_use();
    assert!(
        after.checkouts >= before.checkouts + 2,
        "{before:?} {after:?}"
    );
    assert!(after.waited > before.waited, "{before:?} {after:?}");
    assert!(after.open >= 1 && after.in_use == 0, "{after:?}");
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
    let events = trail(store, acme, &AuditFilter::default());
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

pub fn account_users_are_listed_changed_and_removed_with_their_events(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    let other = account(store, "boss@other.example");
    let clerk = NewAccountUser {
        account: acme,
        login: login("clerk@example.com"),
        password_hash: PasswordHash("$2b$04$old".into()),
        can_manage_account: false,
    };
    store.add_account_user(&clerk, &audit()).unwrap();
    let users = store.account_users(acme).unwrap();
    let logins: Vec<&str> = users.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(logins, ["owner@example.com", "clerk@example.com"]);
    assert!(users[0].is_owner && users[0].can_manage_account);
    let added = users[1].clone();
    assert!(!added.is_owner && !added.can_manage_account && !added.locked);
    assert_eq!(added.last_sign_in, None);
    assert_eq!(
        store.account_user(acme, added.id).unwrap(),
        Some(added.clone())
    );
    assert_eq!(store.account_user(other, added.id).unwrap(), None);
    assert_eq!(
        store
            .account_user_by_login(&login("CLERK@example.com"))
            .unwrap(),
        Some(added.clone())
    );

    assert!(
        !store
            .set_can_manage_account(other, added.id, true, &audit())
            .unwrap()
    );
    assert!(
        store
            .set_can_manage_account(acme, added.id, true, &audit())
            .unwrap()
    );
    assert!(
        store
            .account_user(acme, added.id)
            .unwrap()
            .unwrap()
            .can_manage_account
    );
    let hash = PasswordHash("$2b$04$new".into());
    assert!(
        !store
            .set_account_user_password(other, added.id, &hash, &audit())
            .unwrap()
    );
    assert!(
        store
            .set_account_user_password(acme, added.id, &hash, &audit())
            .unwrap()
    );
    let stored = store.credential(&added.login).unwrap().unwrap();
    assert_eq!(stored.password_hash, hash);

    assert!(
        !store
            .remove_account_user(other, added.id, &audit())
            .unwrap()
    );
    assert!(store.remove_account_user(acme, added.id, &audit()).unwrap());
    assert_eq!(store.account_user(acme, added.id).unwrap(), None);
    assert!(store.credential(&added.login).unwrap().is_none());
    store.add_account_user(&clerk, &audit()).unwrap();

    let events = trail(store, acme, &AuditFilter::default());
    type Recorded<'a> = (AuditAction, &'a str, Vec<(String, String)>);
    let trail: Vec<Recorded> = events
        .iter()
        .take(4)
        .map(|e| (e.action, e.target.as_str(), e.changes.clone()))
        .collect();
    let changed = vec![("canManageAccount".to_owned(), "true".to_owned())];
    let added_again = vec![("canManageAccount".to_owned(), "false".to_owned())];
    assert_eq!(
        trail,
        [
            (
                AuditAction::AccountUserAdded,
                "clerk@example.com",
                added_again
            ),
            (AuditAction::AccountUserRemoved, "clerk@example.com", vec![]),
            (
                AuditAction::AccountUserPasswordSet,
                "clerk@example.com",
                vec![]
            ),
            (
                AuditAction::AccountUserUpdated,
                "clerk@example.com",
                changed
            ),
        ]
    );
}
