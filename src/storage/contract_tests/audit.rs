//! The audit trail: every change records its event, with its context.

use super::{account, audit, new_api_user};
use crate::domain::{ApiUserChanges, AuditAction, Paging, PasswordHash, Status};
use crate::storage::Store;

pub fn every_change_is_recorded_with_its_context_newest_first(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    let user = store
        .insert_api_user(&new_api_user(acme, "shop@x.example"), &audit())
        .unwrap();
    let changes = ApiUserChanges {
        status: Some(Status::Disabled),
        ..ApiUserChanges::default()
    };
    store
        .update_api_user(acme, user.id, &changes, &audit())
        .unwrap();
    store
        .set_api_user_password(acme, user.id, &PasswordHash("$2b$04$new".into()), &audit())
        .unwrap();
    store.delete_api_user(acme, user.id, &audit()).unwrap();
    let events = store
        .list_audit_events(acme, Paging::parse(None, None).unwrap())
        .unwrap();
    let actions: Vec<_> = events.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            AuditAction::ApiUserDeleted,
            AuditAction::ApiUserPasswordSet,
            AuditAction::ApiUserUpdated,
            AuditAction::ApiUserCreated,
            AuditAction::AccountCreated,
        ]
    );
    assert_eq!(
        events[2].changes,
        [("status".to_owned(), "Disabled".to_owned())]
    );
    assert_eq!(
        events[3].changes[0],
        ("email".to_owned(), "shop@x.example".to_owned())
    );
    assert!(
        events[1].changes.is_empty(),
        "no password or hash is recorded"
    );
    assert!(
        events
            .iter()
            .all(|e| e.target == "shop@x.example" || e.action == AuditAction::AccountCreated)
    );
    assert_eq!(events[0].origin, audit().origin);
    assert_eq!(events[0].actor, "owner@example.com");
    let other = account(store, "owner@other.example");
    assert_eq!(
        store
            .list_audit_events(other, Paging::parse(None, None).unwrap())
            .unwrap()
            .len(),
        1
    );
}
