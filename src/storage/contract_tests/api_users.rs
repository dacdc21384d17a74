//! API users.

use super::{account, audit, login, new_api_user};
use crate::domain::{ApiUserChanges, Error, Timestamp};
use crate::storage::Store;

pub fn another_accounts_api_user_is_not_found(store: &dyn Store) {
    let acme = account(store, "owner@acme.example");
    let other = account(store, "owner@other.example");
    let user = store
        .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
        .unwrap();
    assert_eq!(store.api_user(other, user.id), Err(Error::ApiUserNotFound));
    assert_eq!(
        store.delete_api_user(other, user.id, &audit()),
        Err(Error::ApiUserNotFound)
    );
    assert_eq!(
        store
            .update_api_user(other, user.id, &ApiUserChanges::default(), &audit())
            .map(|_| ()),
        Err(Error::ApiUserNotFound)
    );
    assert_eq!(store.api_user(acme, user.id).unwrap(), user);
}

pub fn last_used_only_moves_forward(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    let user = store
        .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
        .unwrap();
    let read = || store.api_user(acme, user.id).unwrap().last_used;
    store
        .record_api_user_use(user.id, Timestamp(1_060))
        .unwrap();
    assert_eq!(read(), Some(Timestamp(1_060)));
    store
        .record_api_user_use(user.id, Timestamp(1_000))
        .unwrap();
    assert_eq!(read(), Some(Timestamp(1_060)));
    assert_eq!(
        store
            .credential(&login("shop@x.example"))
            .unwrap()
            .unwrap()
            .last_used,
        Some(Timestamp(1_060))
    );
}

pub fn a_deleted_id_is_never_handed_out_again(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    let first = store
        .insert_api_user(&new_api_user(acme, "a@x.example"), &audit())
        .unwrap();
    store.delete_api_user(acme, first.id, &audit()).unwrap();
    let second = store
        .insert_api_user(&new_api_user(acme, "a@x.example"), &audit())
        .unwrap();
    assert!(second.id.0 > first.id.0);
}
