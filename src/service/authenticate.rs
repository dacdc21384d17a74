//! Authentication as a use case: Basic and UsernameToken credentials from every adapter end
//! here, and so do the protections around them: lockout after wrong passwords, the
//! per-address limit on failed logins, and the API users' rate limits.
//!
//! Unknown login, wrong password, disabled or locked user: all the same `InvalidLogin`, and
//! all after one verification's worth of bcrypt. A password is only ever checked under a slot
//! of its login's failure budget (`CredentialStore`), taken before bcrypt and settled after,
//! so a burst cannot check more passwords than the budget holds.

use super::Gateway;
use crate::auth::fingerprint;
/// What adapters hand in and get back: credentials as presented, and where an API user stands
/// against its rate limit.
pub use crate::auth::{Credentials, Scheme};
use crate::domain::audit::GATEWAY_ACTOR;
use crate::domain::{Audit, Caller, Error, Login, Origin, Result, Role, Timestamp};
pub use crate::storage::Standing;
use crate::storage::{
    Admission, Attempt, CallLimits, CallRead, FailureLimit, LockoutRule, StoredCredential,
};

const LAST_USED_RESOLUTION_SECONDS: i64 = 60;

/// A caller who passed authentication, with where an API user stands against its rate limit.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub caller: Caller,
    pub rate: Option<Standing>,
}

/// How far authentication may go on the thread it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pace {
    /// A blocking thread: bcrypt and writes included.
    MayWait,
    /// An async worker: only what a credential the cache vouches for needs (the principal's
    /// row and in-memory counters). Anything more is left to a blocking thread.
    AtOnce,
}

/// Runs on a blocking thread. An address with too many recent failures is refused before any
/// verification; a locked, disabled or deleted principal before the credential cache is
/// consulted, so the cache never answers for it. An API user's call is judged against its rate
/// limit as its credential is read (one round trip on PostgreSQL), and given back when the
/// password turns out wrong; a refusal is only told once the password is right.
pub fn authenticate(
    gateway: &Gateway,
    credentials: &Credentials,
    origin: Origin,
) -> Result<Authenticated> {
    authenticate_at(gateway, credentials, origin, Pace::MayWait)?
        .ok_or_else(|| Error::unknown("authentication on a blocking thread stopped short"))
}

/// `authenticate` on an async worker, for a credential the cache vouches for: `None` where it
/// would need bcrypt or a write, and then nothing has been counted, so that the caller can
/// run `authenticate` on a blocking thread instead.
pub fn authenticate_at_once(
    gateway: &Gateway,
    credentials: &Credentials,
    origin: Origin,
) -> Result<Option<Authenticated>> {
    authenticate_at(gateway, credentials, origin, Pace::AtOnce)
}

fn authenticate_at(
    gateway: &Gateway,
    credentials: &Credentials,
    origin: Origin,
    pace: Pace,
) -> Result<Option<Authenticated>> {
    let now = Timestamp::now();
    let limits = call_limits(gateway);
    let address = origin.address.as_deref();
    // A login that does not parse names nobody, as one that nobody has.
    let read = match Login::parse(&credentials.login, "email") {
        Ok(login) => gateway.store.read_for_call(&login, address, now, limits)?,
        Err(_) => CallRead::blocked(address_blocked_for(gateway, address, now)?),
    };
    if let Some(wait) = read.address_blocked_for {
        return Err(address_refused(gateway, wait));
    }
    let stored = match read.credential {
        Some(stored) if stored.may_authenticate => stored,
        _ if pace == Pace::AtOnce => return Ok(None),
        refused => {
            take_address_slot(gateway, &origin, now)?;
            let like = refused.as_ref().map(|stored| &stored.password_hash);
            gateway.hasher.verify_decoy(&credentials.password, like);
            return Err(Error::InvalidLogin);
        }
    };
    let login = &stored.principal.login;
    let record_use = matches!(stored.principal.role, Role::ApiUser(_))
        && last_used_is_stale(stored.last_used, now);
    let verified = match pace {
        Pace::MayWait => gateway.credentials.check(
            credentials.scheme,
            login.as_str(),
            &credentials.password,
            &stored.password_hash,
            || check_password(gateway, &stored, &credentials.password, &origin, now),
        )?,
        // A counted failure to clear or a `lastUsed` to rewrite is a write: left too.
        Pace::AtOnce => {
            !(stored.failures_counted || record_use)
                && gateway.credentials.vouches_for(
                    credentials.scheme,
                    login.as_str(),
                    &credentials.password,
                    &stored.password_hash,
                )
        }
    };
    if pace == Pace::AtOnce && !verified {
        give_back_call(gateway, &stored, read.admission, now)?;
        return Ok(None);
    }
    let refused = !verified
        || (stored.failures_counted && !gateway.store.clear_login_attempts(login, None)?);
    if refused {
        give_back_call(gateway, &stored, read.admission, now)?;
        return Err(Error::InvalidLogin);
    }
    let rate = match stored.principal.role {
        Role::ApiUser(id) => {
            let standing = judged_call(gateway, read.admission)?;
            // `lastUsed` is bookkeeping: a store that cannot write it (disk full, read-only
            // file) must not turn the API user's call away.
            if record_use && let Err(error) = gateway.store.record_api_user_use(id, now) {
                tracing::warn!(cause = error.cause(), "lastUsed not recorded");
            }
            Some(standing)
        }
        Role::Owner | Role::AccountUser { .. } => None,
    };
    Ok(Some(Authenticated {
        caller: Caller {
            principal: stored.principal,
            origin,
        },
        rate,
    }))
}

/// Checks a candidate against the stored hash under a slot of the login's failure budget (and
/// of the address's): taken first, then bcrypt, then settled. A spent budget refuses without
/// a check, after a decoy verification at the stored hash's cost.
fn check_password(
    gateway: &Gateway,
    stored: &StoredCredential,
    candidate: &str,
    origin: &Origin,
    now: Timestamp,
) -> Result<bool> {
    let settings = &gateway.settings.protection;
    let rule = LockoutRule {
        threshold: settings.lockout_threshold,
        window_seconds: settings.lockout_window_minutes * 60,
    };
    let login = &stored.principal.login;
    let hash = &stored.password_hash;
    let fingerprint = fingerprint(candidate, hash);
    take_address_slot(gateway, origin, now)?;
    let attempt = gateway
        .store
        .reserve_login_attempt(login, fingerprint, now, rule)?;
    let reserved = match attempt {
        Attempt::Refused => {
            gateway.hasher.verify_decoy(candidate, Some(hash));
            return Ok(false);
        }
        // The same wrong password again is no new guess: it spends neither budget.
        Attempt::Repeated => {
            release_address_slot(gateway, origin, now)?;
            None
        }
        Attempt::Reserved(id) => Some(id),
    };
    if !gateway.hasher.verify(candidate, hash) {
        if let Some(id) = reserved {
            let audit = Audit {
                actor: GATEWAY_ACTOR.to_owned(),
                origin: origin.clone(),
                at: now,
            };
            if gateway
                .store
                .count_failed_attempt(id, login, fingerprint, rule, &audit)?
            {
                gateway.refusals.lockout();
                tracing::warn!(
                    login = login.as_str(),
                    channel = origin.channel.as_str(),
                    address = origin.address,
                    "login locked after too many wrong passwords"
                );
            }
        }
        return Ok(false);
    }
    if reserved.is_some() {
        release_address_slot(gateway, origin, now)?;
    }
    if !gateway.store.clear_login_attempts(login, reserved)? {
        return Ok(false);
    }
    rehash_at_the_setting(gateway, stored, candidate);
    Ok(true)
}

/// A hash at another cost than `--bcrypt-cost` is made again from the password just verified,
/// so that stored hashes reach the setting as their users sign in. Bookkeeping: a failure is
/// logged and the call goes on.
fn rehash_at_the_setting(gateway: &Gateway, stored: &StoredCredential, verified: &str) {
    if !gateway.hasher.needs_rehash(&stored.password_hash) {
        return;
    }
    let login = &stored.principal.login;
    let replaced = gateway.hasher.rehash(verified).and_then(|new| {
        gateway
            .store
            .replace_password_hash(login, &stored.password_hash, &new)
    });
    if let Err(error) = replaced {
        tracing::warn!(
            login = login.as_str(),
            cause = error.cause(),
            "password hash not rehashed"
        );
    }
}

/// An API user's call as the store judged it: Tiered, no 60-second span over the per-minute
/// limit; Flat, no rolling hour over the hourly one. Every admitted call counts towards
/// `ApiCallsInLastHour`.
fn judged_call(gateway: &Gateway, admission: Option<Admission>) -> Result<Standing> {
    let admission = admission
        .ok_or_else(|| Error::Unknown("the store judged no call for an API user".into()))?;
    admission.map_err(|refused| {
        gateway.refusals.rate_limited();
        Error::ApiUsageExceeded {
            limit: refused.limit,
            retry_after_seconds: refused.reset_seconds,
        }
    })
}

/// A call counted ahead of a check that failed is no call: it is given back.
fn give_back_call(
    gateway: &Gateway,
    stored: &StoredCredential,
    admission: Option<Admission>,
    at: Timestamp,
) -> Result<()> {
    match (stored.principal.role, admission) {
        (Role::ApiUser(id), Some(Ok(_))) => {
            let limit = call_limits(gateway).for_scheme(stored.tiered_rate_limit);
            gateway.store.meter().release_call(id, at, limit)
        }
        _ => Ok(()),
    }
}

fn call_limits(gateway: &Gateway) -> CallLimits {
    let settings = &gateway.settings.protection;
    CallLimits {
        tiered_per_minute: settings.tiered_rate_limit_per_minute,
        flat_per_hour: settings.flat_rate_limit_per_hour,
        failures: FailureLimit {
            limit: settings.failed_logins_per_address,
            window_minutes: settings.lockout_window_minutes,
        },
    }
}

fn address_blocked_for(
    gateway: &Gateway,
    address: Option<&str>,
    now: Timestamp,
) -> Result<Option<u32>> {
    let Some(address) = address else {
        return Ok(None);
    };
    let limit = call_limits(gateway).failures;
    gateway
        .store
        .meter()
        .address_blocked_for(address, now, limit)
}

fn address_refused(gateway: &Gateway, wait: u32) -> Error {
    gateway.refusals.address_refused();
    Error::ApiUsageExceeded {
        limit: gateway.settings.protection.failed_logins_per_address,
        retry_after_seconds: wait,
    }
}

/// Counts a failed login against the client's address before it is known to have failed;
/// a success gives the slot back. Refused once the address's budget is spent.
fn take_address_slot(gateway: &Gateway, origin: &Origin, now: Timestamp) -> Result<()> {
    let Some(address) = &origin.address else {
        return Ok(());
    };
    let limit = call_limits(gateway).failures;
    gateway
        .store
        .meter()
        .reserve_failed_login(address, now, limit)?
        .map(|_| ())
        .map_err(|refused| address_refused(gateway, refused.reset_seconds))
}

fn release_address_slot(gateway: &Gateway, origin: &Origin, now: Timestamp) -> Result<()> {
    match &origin.address {
        Some(address) => {
            let limit = call_limits(gateway).failures;
            gateway
                .store
                .meter()
                .release_failed_login(address, now, limit)
        }
        None => Ok(()),
    }
}

/// `lastUsed` is rewritten at most once a minute per API user: no write on every call.
fn last_used_is_stale(last_used: Option<Timestamp>, now: Timestamp) -> bool {
    last_used.is_none_or(|at| now.seconds() - at.seconds() >= LAST_USED_RESOLUTION_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Scheme, Spent};
    use crate::config::StoreSettings;
    use crate::domain::{ApiUser, Channel};
    use crate::service::accounts::create_account;
    use crate::service::create::create_api_user;
    use crate::service::unlock::unlock_api_user;
    use crate::service::update::update_api_user;
    use crate::service::{ApiUserInput, GatewaySettings};
    use crate::startup::open_gateway;

    const OWNER: &str = "owner@example.com";
    const OWNER_PASSWORD: &str = "Sturdy#Key-2026";
    const API_PASSWORD: &str = "Magento#2026shop";

    struct Fixture {
        dir: tempfile::TempDir,
        gateway: Gateway,
    }

    fn open(dir: &tempfile::TempDir, cost: u32) -> Gateway {
        let store = StoreSettings {
            db: dir.path().join("dualgate.db"),
            database_url: None,
            bcrypt_cost: cost,
        };
        let settings = GatewaySettings {
            apiuser_domain: "apiconnector.com".into(),
            public_url: "http://127.0.0.1/".into(),
            protection: Default::default(),
            credential_cache: Default::default(),
            web_session_seconds: 900,
        };
        open_gateway(&store, settings).unwrap()
    }

    impl Fixture {
        fn new(cost: u32) -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let gateway = open(&dir, cost);
            create_account(&gateway, "Acme", OWNER, OWNER_PASSWORD).unwrap();
            Fixture { dir, gateway }
        }

        /// The same database, opened again as a restart with another bcrypt cost.
        fn restart(self, cost: u32) -> Fixture {
            let dir = self.dir;
            drop(self.gateway);
            let gateway = open(&dir, cost);
            Fixture { dir, gateway }
        }

        fn sign_in(&self, login: &str, password: &str) -> Result<Authenticated> {
            authenticate(&self.gateway, &basic(login, password), rest_from(None))
        }

        fn owner(&self) -> Caller {
            self.sign_in(OWNER, OWNER_PASSWORD).unwrap().caller
        }

        fn api_user(&self) -> ApiUser {
            let input = ApiUserInput {
                description: Some("Magento shop".into()),
                password: Some(API_PASSWORD.into()),
                ..Default::default()
            };
            let owner = self.owner();
            let manager = owner.manager().unwrap();
            create_api_user(&self.gateway, &manager, input.try_into().unwrap()).unwrap()
        }

        /// What `work` cost in verifications.
        fn spent_on(&self, work: impl FnOnce()) -> Spent {
            let before = self.gateway.hasher.spent();
            work();
            let after = self.gateway.hasher.spent();
            Spent {
                checks: after.checks - before.checks,
                decoys: after.decoys - before.decoys,
                work: after.work - before.work,
            }
        }

        fn refused(&self, login: &str, password: &str) {
            assert!(matches!(
                self.sign_in(login, password),
                Err(Error::InvalidLogin)
            ));
        }
    }

    fn basic(login: &str, password: &str) -> Credentials {
        Credentials {
            scheme: Scheme::Basic,
            login: login.to_owned(),
            password: password.to_owned(),
        }
    }

    fn rest_from(address: Option<&str>) -> Origin {
        Origin {
            channel: Channel::Rest,
            address: address.map(str::to_owned),
        }
    }

    const ONE_DECOY: Spent = Spent {
        checks: 0,
        decoys: 1,
        work: 1 << 4,
    };

    #[test]
    fn a_burst_of_wrong_passwords_checks_no_more_than_the_threshold() {
        let fixture = Fixture::new(4);
        let login = fixture.api_user().login;
        let spent = fixture.spent_on(|| {
            std::thread::scope(|scope| {
                for n in 0..30 {
                    let (fixture, login) = (&fixture, &login);
                    scope.spawn(move || fixture.refused(login.as_str(), &format!("Guess#{n}")));
                }
            });
        });
        assert_eq!((spent.checks, spent.decoys), (5, 25));
        let right = fixture.spent_on(|| fixture.refused(login.as_str(), API_PASSWORD));
        assert_eq!(right, ONE_DECOY, "locked: refused without a check");
    }

    #[test]
    fn a_locked_or_disabled_principal_costs_one_decoy_whatever_the_cache_holds() {
        let fixture = Fixture::new(4);
        let user = fixture.api_user();
        let login = user.login.as_str();
        for n in 0..5 {
            fixture.refused(login, &format!("Guess#{n}"));
        }
        for _ in 0..3 {
            let spent = fixture.spent_on(|| fixture.refused(login, API_PASSWORD));
            assert_eq!(spent, ONE_DECOY);
        }
        let owner = fixture.owner();
        unlock_api_user(&fixture.gateway, &owner.manager().unwrap(), user.id).unwrap();
        let after_unlock = fixture.spent_on(|| {
            fixture.sign_in(login, API_PASSWORD).unwrap();
        });
        assert_eq!(after_unlock.checks, 1, "nothing was cached while locked");

        let disable = ApiUserInput {
            status: Some("Disabled".into()),
            ..Default::default()
        };
        let owner = fixture.owner();
        let disable = disable.try_into().unwrap();
        update_api_user(
            &fixture.gateway,
            &owner.manager().unwrap(),
            user.id,
            disable,
        )
        .unwrap();
        for _ in 0..3 {
            let spent = fixture.spent_on(|| fixture.refused(login, API_PASSWORD));
            assert_eq!(spent, ONE_DECOY, "cached before, refused before the cache");
        }
    }

    #[test]
    fn a_retried_wrong_password_counts_once() {
        let fixture = Fixture::new(4);
        let login = fixture.api_user().login;
        for _ in 0..8 {
            fixture.refused(login.as_str(), "Stale#Password-2025");
        }
        assert!(fixture.sign_in(login.as_str(), API_PASSWORD).is_ok());
        for n in 0..5 {
            fixture.refused(login.as_str(), &format!("Guess#{n}"));
        }
        fixture.refused(login.as_str(), API_PASSWORD);
    }

    #[test]
    fn every_verification_costs_the_highest_stored_cost_after_the_setting_changes() {
        let fixture = Fixture::new(6);
        let login = fixture.api_user().login;
        let fixture = fixture.restart(4);
        let at_cost_6 = 1 << 6;
        let unknown = fixture.spent_on(|| fixture.refused("nobody@example.com", API_PASSWORD));
        assert_eq!((unknown.decoys, unknown.work), (1, at_cost_6));
        let wrong = fixture.spent_on(|| fixture.refused(login.as_str(), "Guess#1"));
        assert_eq!((wrong.checks, wrong.work), (1, at_cost_6));

        fixture.sign_in(login.as_str(), API_PASSWORD).unwrap();
        let stored = fixture.gateway.store.credential(&login).unwrap();
        let hash = stored.unwrap().password_hash;
        assert!(
            hash.0.starts_with("$2b$04$"),
            "rehashed at the setting: {}",
            hash.0
        );
        assert!(fixture.sign_in(login.as_str(), API_PASSWORD).is_ok());
        let rehashed = fixture.spent_on(|| fixture.refused(login.as_str(), "Guess#2"));
        assert_eq!(
            (rehashed.checks, rehashed.work),
            (1, at_cost_6),
            "padded to the highest cost stored at start"
        );
    }

    #[test]
    fn at_once_answers_only_for_what_the_cache_vouches_for_and_counts_nothing_it_leaves() {
        let fixture = Fixture::new(4);
        let user = fixture.api_user();
        let login = user.login.as_str();
        let id = user.id;
        let at_once = |password: &str| {
            let (credentials, origin) = (basic(login, password), rest_from(Some("192.0.2.7")));
            authenticate_at_once(&fixture.gateway, &credentials, origin).unwrap()
        };
        let calls = || {
            let meter = fixture.gateway.store.meter();
            meter.calls_in_last_hour(id, Timestamp::now()).unwrap()
        };
        let left = |outcome: Option<Authenticated>| {
            let spent = fixture.spent_on(|| assert!(outcome.is_none()));
            assert_eq!((spent.checks, spent.decoys), (0, 0));
        };

        let misses = fixture.gateway.credentials.counts().misses;
        left(at_once(API_PASSWORD));
        assert_eq!(fixture.gateway.credentials.counts().misses, misses);
        fixture.sign_in(login, API_PASSWORD).unwrap();
        assert_eq!(calls(), 1);
        let hits = fixture.gateway.credentials.counts().hits;

        let served = at_once(API_PASSWORD).expect("a vouched-for credential is served");
        assert_eq!(served.caller.principal.login.as_str(), login);
        assert!(served.rate.is_some());
        assert_eq!(calls(), 2);
        assert_eq!(fixture.gateway.credentials.counts().hits, hits + 1);

        left(at_once("Wrong#password-1"));
        let stored = fixture
            .gateway
            .store
            .credential(&user.login)
            .unwrap()
            .unwrap();
        assert!(
            !stored.failures_counted,
            "a wrong password is left, not counted"
        );
        let owner = fixture.owner();
        let disabled = ApiUserInput {
            status: Some("Disabled".into()),
            ..Default::default()
        };
        update_api_user(
            &fixture.gateway,
            &owner.manager().unwrap(),
            id,
            disabled.try_into().unwrap(),
        )
        .unwrap();
        left(at_once(API_PASSWORD));
        assert_eq!(calls(), 2, "nothing left to a blocking thread is counted");
    }

    #[test]
    fn last_used_is_rewritten_at_most_once_a_minute() {
        assert!(last_used_is_stale(None, Timestamp(1_000)));
        assert!(!last_used_is_stale(
            Some(Timestamp(1_000)),
            Timestamp(1_059)
        ));
        assert!(last_used_is_stale(Some(Timestamp(1_000)), Timestamp(1_060)));
    }
}
