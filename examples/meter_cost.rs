//! What the meter costs per call on PostgreSQL, beside a bare round trip to the same database
//! and beside the in-process meter of a SQLite store, with the server's own storage code:
//!
//!     cargo run --release --example meter_cost -- --calls 5000
//!
//! On a throwaway PostgreSQL 15 cluster (as the tests start one) unless `--database-url` names
//! a database. Prints, per call: a bare round trip (`/health`'s ping), an admission on one
//! thread, what authentication reads of a store for an API user's call (its address's
//! failures, its credential, its call counted: `Store::read_for_call`, and the same read in
//! three calls of the store, as before it was one), and an admission with
//! 16 threads over two stores (two pools, as two instances) on one API user at a limit of 600
//! (how many were admitted, too); then the same with SQLite's in-process meter.

use clap::Parser;
use dualgate::config::{DatabaseUrl, StoreSettings};
use dualgate::domain::Role::ApiUser;
use dualgate::domain::{
    ApiUserId, Audit, Channel, Description, Login, NewAccount, NewApiUser, Origin, PasswordHash,
    Status, Timestamp,
};
use dualgate::storage::{self, CallLimit, CallLimits, FailureLimit, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

#[allow(
    dead_code,
    reason = "only a fresh database of the cluster is needed here"
)]
#[path = "../src/storage/postgres/test_cluster.rs"]
mod test_cluster;

#[derive(Debug, Parser)]
#[command(about = "the meter's cost per call on PostgreSQL and in process")]
struct Args {
    /// An empty PostgreSQL database; by default one on a throwaway cluster.
    #[arg(long)]
    database_url: Option<String>,
    /// Calls per figure.
    #[arg(long, default_value_t = 5000)]
    calls: u32,
}

const THREADS: u32 = 16;
const LIMIT: u32 = 600;

fn open(url: Option<&str>, dir: &std::path::Path) -> Arc<dyn Store> {
    let settings = StoreSettings {
        db: dir.join("meter.db"),
        database_url: url.map(|u| u.parse::<DatabaseUrl>().expect("a database URL")),
        bcrypt_cost: 4,
    };
    storage::open(&settings).expect("the store opens")
}

/// Microseconds per call of `work`, called `calls` times on one thread.
fn per_call(calls: u32, mut work: impl FnMut(u32)) -> f64 {
    let started = Instant::now();
    for n in 0..calls {
        work(n);
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(calls)
}

/// `calls` admissions of one user at `LIMIT` on `THREADS` threads, alternating between the
/// stores: microseconds per call, and how many were admitted.
fn at_once(stores: &[Arc<dyn Store>], calls: u32) -> (f64, u32) {
    let admitted = AtomicU32::new(0);
    let started = Instant::now();
    let now = Timestamp::now();
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let store = &stores[thread as usize % stores.len()];
            let admitted = &admitted;
            scope.spawn(move || {
                for _ in 0..calls / THREADS {
                    let limit = CallLimit::Tiered { per_minute: LIMIT };
                    let admission = store.meter().admit_call(ApiUserId(1002), now, limit);
                    if admission.expect("the meter answers").is_ok() {
                        admitted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let micros = started.elapsed().as_secs_f64() * 1e6 / f64::from(calls / THREADS * THREADS);
    (micros, admitted.into_inner())
}

/// An account with one API user; the user's login.
fn api_user(store: &dyn Store) -> Login {
    let login = |text| Login::parse(text, "email").expect("a login");
    let audit = Audit {
        actor: "meter_cost".into(),
        origin: Origin {
            channel: Channel::Cli,
            address: None,
        },
        at: Timestamp::now(),
    };
    let hash = PasswordHash("$2b$04$hash".into());
    let account = NewAccount {
        name: "Bench".into(),
        owner_login: login("owner@example.com"),
        owner_password_hash: hash.clone(),
    };
    let account = store.create_account(&account, &audit).expect("an account");
    let user = NewApiUser {
        account,
        login: login("bench@apiconnector.com"),
        description: Description::parse("bench").expect("a description"),
        status: Status::Enabled,
        tiered_rate_limit: true,
        password_hash: hash,
        created: audit.at,
    };
    store
        .insert_api_user(&user, &audit)
        .expect("an API user")
        .login
}

fn figures(name: &str, stores: &[Arc<dyn Store>], calls: u32) {
    let store = &stores[0];
    let login = api_user(store.as_ref());
    let limits = CallLimits {
        tiered_per_minute: i32::MAX as u32,
        flat_per_hour: i32::MAX as u32,
        failures: FailureLimit {
            limit: 50,
            window_minutes: 15,
        },
    };
    let read = per_call(calls, |_| {
        let read = store.read_for_call(&login, Some("192.0.2.1"), Timestamp::now(), limits);
        assert!(matches!(
            read.expect("the store answers").admission,
            Some(Ok(_))
        ));
    });
    let meter = store.meter();
    let in_three = per_call(calls, |_| {
        let now = Timestamp::now();
        let blocked = meter.address_blocked_for("192.0.2.1", now, limits.failures);
        assert!(blocked.expect("the meter answers").is_none());
        let stored = store.credential(&login).expect("the store answers");
        let ApiUser(id) = stored.expect("the API user").principal.role else {
            unreachable!("an API user's login")
        };
        let admission = meter.admit_call(id, now, limits.for_scheme(true));
        assert!(admission.expect("the meter answers").is_ok());
    });
    let ping = per_call(calls, |_| store.ping().expect("the database answers"));
    let unlimited = CallLimit::Tiered {
        per_minute: i32::MAX as u32,
    };
    let now = Timestamp::now();
    let one_thread = per_call(calls, |_| {
        let admission = store.meter().admit_call(ApiUserId(1001), now, unlimited);
        assert!(admission.expect("the meter answers").is_ok());
    });
    let (concurrent, admitted) = at_once(stores, calls);
    println!(
        "{name}: ping {ping:.1} µs, admission {one_thread:.1} µs on one thread, \
         a call's read {read:.1} µs (in three calls {in_three:.1} µs), admission {concurrent:.1} µs with {THREADS} threads over \
         {} store(s) ({admitted} of {} admitted at {LIMIT})",
        stores.len(),
        calls / THREADS * THREADS,
    );
}

fn main() {
    let args = Args::parse();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = args
        .database_url
        .unwrap_or_else(test_cluster::fresh_database_url);
    let postgres = [open(Some(&url), dir.path()), open(Some(&url), dir.path())];
    figures("PostgreSQL", &postgres, args.calls);
    let sqlite = [open(None, dir.path())];
    figures("SQLite (in process)", &sqlite, args.calls);
}
