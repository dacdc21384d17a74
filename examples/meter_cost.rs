//! What the meter costs per call on PostgreSQL, beside a bare round trip to the same database
//! and beside the in-process meter of a SQLite store, with the server's own storage code:
//!
//!     cargo run --release --example meter_cost -- --calls 5000
//!
//! On a throwaway PostgreSQL 15 cluster (as the tests start one) unless `--database-url` names
//! a database. Prints, per call: a bare round trip (`/health`'s ping), an admission on one
//! thread, and an admission with 16 threads over two stores (two pools, as two instances) on
//! one API user at a limit of 600 (how many were admitted, too); then the in-process meter.

use clap::Parser;
use dualgate::config::{DatabaseUrl, StoreSettings};
use dualgate::domain::{ApiUserId, Timestamp};
use dualgate::storage::{self, CallLimit, Store};
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
                    let admission = store.meter().admit_call(ApiUserId(2), now, limit);
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

fn figures(name: &str, stores: &[Arc<dyn Store>], calls: u32) {
    let store = &stores[0];
    let ping = per_call(calls, |_| store.ping().expect("the database answers"));
    let unlimited = CallLimit::Tiered {
        per_minute: i32::MAX as u32,
    };
    let now = Timestamp::now();
    let one_thread = per_call(calls, |_| {
        let admission = store.meter().admit_call(ApiUserId(1), now, unlimited);
        assert!(admission.expect("the meter answers").is_ok());
    });
    let (concurrent, admitted) = at_once(stores, calls);
    println!(
        "{name}: ping {ping:.1} µs, admission {one_thread:.1} µs on one thread, \
         {concurrent:.1} µs with {THREADS} threads over {} store(s) ({admitted} of {} admitted at {LIMIT})",
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
