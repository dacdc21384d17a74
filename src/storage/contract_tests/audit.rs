//! The audit trail: every change records its event, with its context.

use super::{account, audit, login, new_api_user, trail};
use crate::domain::{ApiUserChanges, AuditAction, AuditFilter, Paging, PasswordHash, Status};
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
    let events = trail(store, acme, &AuditFilter::default());
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
    assert_eq!(trail(store, other, &AuditFilter::default()).len(), 1);
}

pub fn a_filter_keeps_the_events_of_its_target_and_action_paged(store: &dyn Store) {
    let acme = account(store, "owner@example.com");
    for email in ["shop@x.example", "crm@x.example", "erp@x.example"] {
        let user = store
            .insert_api_user(&new_api_user(acme, email), &audit())
            .unwrap();
        store.delete_api_user(acme, user.id, &audit()).unwrap();
    }
    let other = account(store, "owner@other.example");
    store
        .insert_api_user(&new_api_user(other, "shop@y.example"), &audit())
        .unwrap();
    let seen = |filter: AuditFilter| -> Vec<(AuditAction, String)> {
        trail(store, acme, &filter)
            .into_iter()
            .map(|e| (e.action, e.target))
            .collect()
    };
    let target = |email: &str| Some(login(email));

    assert_eq!(
        seen(AuditFilter {
            target: target("crm@x.example"),
            action: None,
        }),
        [
            (AuditAction::ApiUserDeleted, "crm@x.example".to_owned()),
            (AuditAction::ApiUserCreated, "crm@x.example".to_owned()),
        ]
    );
    let created = AuditFilter {
        target: None,
        action: Some(AuditAction::ApiUserCreated),
    };
    let targets: Vec<String> = seen(created.clone()).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        targets,
        ["erp@x.example", "crm@x.example", "shop@x.example"],
        "only this account's, newest first"
    );
    assert_eq!(
        seen(AuditFilter {
            target: target("crm@x.example"),
            action: Some(AuditAction::ApiUserDeleted),
        }),
        [(AuditAction::ApiUserDeleted, "crm@x.example".to_owned())]
    );
    assert!(
        seen(AuditFilter {
            target: target("nobody@x.example"),
            action: None,
        })
        .is_empty()
    );
    let second = store
        .list_audit_events(acme, &created, Paging { select: 1, skip: 1 })
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].target, "crm@x.example", "paged after filtering");
}
