//! The `Store` contract as tests, written against the traits alone, so that every backend runs
//! the same suite: a backend's test module calls `store_contract!(fresh, twin)`, where `fresh()`
//! opens an empty store and returns it with whatever must outlive it (its directory, say), and
//! `twin(&kept, &store)` opens a second handle that shares the first one's meter, as a second
//! gateway instance would (`None`: the backend serves one instance, use the same handle).

pub(crate) mod accounts;
pub(crate) mod api_users;
pub(crate) mod audit;
pub(crate) mod credentials;
pub(crate) mod meter;
pub(crate) mod sessions;

use crate::domain::{
    AccountId, Audit, AuditEvent, AuditFilter, Channel, Description, Fingerprint, Login,
    NewAccount, NewApiUser, Origin, Paging, PasswordHash, Status, Timestamp,
};
use crate::storage::{Attempt, LockoutRule, Store};

/// One `#[test]` per contract test, each on a fresh store.
macro_rules! store_contract {
    ($fresh:path, $twin:path) => {
        #[test]
        fn attempts_at_once_over_two_handles_are_admitted_exactly_at_the_limit() {
            let (kept, store) = $fresh();
            let twin = $twin(&kept, &store);
            $crate::storage::contract_tests::meter::attempts_at_once_over_two_handles_are_admitted_exactly_at_the_limit(
                &store,
                twin.as_ref().unwrap_or(&store),
            );
        }
        $crate::storage::contract_tests::store_contract!(@each $fresh;
            accounts::a_store_that_opened_answers_a_ping,
            accounts::checkouts_are_counted_with_their_wait,
            accounts::a_login_is_unique_across_account_users_and_api_users,
            accounts::a_lock_holds_until_an_unlock_which_forgets_the_failures,
            accounts::account_users_are_listed_changed_and_removed_with_their_events,
            api_users::another_accounts_api_user_is_not_found,
            api_users::last_used_only_moves_forward,
            api_users::a_deleted_id_is_never_handed_out_again,
            audit::every_change_is_recorded_with_its_context_newest_first,
            audit::a_filter_keeps_the_events_of_its_target_and_action_paged,
            credentials::slots_in_progress_and_failures_together_never_exceed_the_threshold,
            credentials::the_lockout_window_slides,
            credentials::the_same_wrong_password_counts_once,
            credentials::a_success_clears_the_count_and_a_check_that_died_gives_its_slot_back,
            credentials::a_success_after_the_lock_is_refused,
            meter::the_rolling_hour_counts_tiered_and_flat_calls_alike,
            meter::the_minute_edge_lets_no_burst_through_and_the_figures_follow,
            meter::no_span_of_the_window_holds_more_than_the_limit,
            meter::an_address_is_blocked_at_its_limit_and_a_released_reservation_no_longer_counts,
            meter::a_call_is_read_with_its_credential_and_judged_ahead_of_the_check,
            meter::account_info_reads_the_account_and_an_api_users_last_hour,
            sessions::a_session_lives_until_it_expires_and_each_use_renews_it,
            sessions::the_principal_is_read_as_stored_now,
            sessions::a_locked_account_users_sessions_open_nothing,
            sessions::a_flash_is_shown_once_and_deleted_sessions_are_gone,
            sessions::opening_a_session_drops_expired_ones_and_needs_an_account_user,
            sessions::opening_a_session_records_the_sign_in_and_removal_ends_it,
        );
    };
    (@each $fresh:path; $($topic:ident :: $name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let (_keep, store) = $fresh();
                $crate::storage::contract_tests::$topic::$name(&store);
            }
        )*
    };
}
pub(crate) use store_contract;

const T: i64 = 1_800_000_000;

fn audit() -> Audit {
    Audit {
        actor: "owner@example.com".into(),
        origin: Origin {
            channel: Channel::Rest,
            address: Some("127.0.0.1".into()),
        },
        at: Timestamp(T),
    }
}

/// The account's audit events that `filter` keeps, the first page of the largest size.
fn trail(store: &dyn Store, account: AccountId, filter: &AuditFilter) -> Vec<AuditEvent> {
    store
        .list_audit_events(account, filter, Paging::parse(None, None).unwrap())
        .unwrap()
}

fn login(text: &str) -> Login {
    Login::parse(text, "email").unwrap()
}

/// An account named Acme, with its owner.
fn account(store: &dyn Store, owner: &str) -> AccountId {
    store
        .create_account(
            &NewAccount {
                name: "Acme".into(),
                owner_login: login(owner),
                owner_password_hash: PasswordHash("$2b$04$hash".into()),
            },
            &audit(),
        )
        .unwrap()
}

fn new_api_user(account: AccountId, email: &str) -> NewApiUser {
    NewApiUser {
        account,
        login: login(email),
        description: Description::parse("shop").unwrap(),
        status: Status::Enabled,
        tiered_rate_limit: true,
        password_hash: PasswordHash("$2b$04$hash".into()),
        created: Timestamp(T),
    }
}

/// Locks `login` as wrong passwords do, here one under a threshold of one; `false` when the
/// login was locked already.
fn lock(store: &dyn Store, login: &Login) -> bool {
    const AT_ONCE: LockoutRule = LockoutRule {
        threshold: 1,
        window_seconds: 60,
    };
    let wrong = Fingerprint(0);
    let audit = audit();
    match store.reserve_login_attempt(login, wrong, audit.at, AT_ONCE) {
        Ok(Attempt::Reserved(id)) => store
            .count_failed_attempt(id, login, wrong, AT_ONCE, &audit)
            .unwrap(),
        Ok(Attempt::Refused) => false,
        other => panic!("no lock for {login}: {other:?}"),
    }
}
