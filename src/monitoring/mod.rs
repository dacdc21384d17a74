//! Prometheus metrics: per-request counts and durations recorded as requests end, and the
//! gateway's own counters (refusals, the credential cache, bcrypt, the storage pool) read
//! when `/metrics` is scraped, so the call path pays nothing for them.
//!
//! Each server has its own recorder rather than the process-wide one, so that servers
//! started side by side (the tests) count apart. No label names an API user: an operator
//! gets per-user figures from the audit trail and the request log.

mod endpoint;

pub use endpoint::metrics_app;

use crate::service::Gateway;
use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Requests recorded between two upkeeps. A histogram keeps each duration until it is drained
/// into its buckets, which rendering does; without a scrape its memory would grow with every
/// request, so the recorder is also drained every so many requests.
const UPKEEP_EVERY: u64 = 4096;

// Per request.
const REQUESTS: &str = "dualgate_requests_total";
const REQUEST_DURATION: &str = "dualgate_request_duration_seconds";
// Authentication's refusals.
const LOCKOUTS: &str = "dualgate_lockouts_total";
const RATE_LIMITED: &str = "dualgate_rate_limit_refusals_total";
const ADDRESS_REFUSED: &str = "dualgate_address_refusals_total";
// What checking a password costs.
const CACHE_HITS: &str = "dualgate_credential_cache_hits_total";
const CACHE_MISSES: &str = "dualgate_credential_cache_misses_total";
const BCRYPT_CHECKS: &str = "dualgate_bcrypt_checks_total";
const BCRYPT_DECOYS: &str = "dualgate_bcrypt_decoys_total";
const BCRYPT_WAITING: &str = "dualgate_bcrypt_waiting";
// The store and the build.
const POOL_OPEN: &str = "dualgate_storage_connections_open";
const POOL_IN_USE: &str = "dualgate_storage_connections_in_use";
const POOL_CHECKOUTS: &str = "dualgate_storage_checkouts_total";
const POOL_WAITED: &str = "dualgate_storage_checkout_wait_seconds_total";
const BUILD_INFO: &str = "dualgate_build_info";

/// Request durations from 1 ms (a cached credential) to 10 s (a queue in front of bcrypt).
const DURATION_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// What a finished request is counted under.
#[derive(Debug, Clone, Copy)]
pub struct RequestKind {
    /// An `Operation`'s name, or `none` for requests that run none (health, the WSDL).
    pub operation: &'static str,
    /// `rest`, `soap11`, `soap12`, `web`, or `none` before any route claimed the request.
    pub protocol: &'static str,
    /// `ok`, or the `ERROR_*` code answered.
    pub outcome: &'static str,
}

pub struct Metrics {
    recorder: PrometheusRecorder,
    recorded: AtomicU64,
}

impl Metrics {
    pub fn new() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&DURATION_BUCKETS)
            .expect("the buckets are not empty")
            .build_recorder();
        metrics::with_local_recorder(&recorder, describe);
        Metrics {
            recorder,
            recorded: AtomicU64::new(0),
        }
    }

    pub fn record_request(&self, kind: RequestKind, took: Duration) {
        metrics::with_local_recorder(&self.recorder, || {
            let labels = [
                ("operation", kind.operation),
                ("protocol", kind.protocol),
                ("outcome", kind.outcome),
            ];
            counter!(REQUESTS, &labels).increment(1);
            histogram!(REQUEST_DURATION, &labels).record(took);
        });
        if self.recorded.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
            self.recorder.handle().run_upkeep();
        }
    }

    /// The text exposition, with the gateway's counters as they are now.
    pub fn render(&self, gateway: &Gateway) -> String {
        let pool = gateway.store.pool_use();
        metrics::with_local_recorder(&self.recorder, || {
            let refusals = gateway.refusals.counts();
            counter!(LOCKOUTS).absolute(refusals.lockouts);
            counter!(RATE_LIMITED).absolute(refusals.rate_limited);
            counter!(ADDRESS_REFUSED).absolute(refusals.address_refused);
            let cache = gateway.credentials.counts();
            counter!(CACHE_HITS).absolute(cache.hits);
            counter!(CACHE_MISSES).absolute(cache.misses);
            let spent = gateway.hasher.spent();
            counter!(BCRYPT_CHECKS).absolute(spent.checks);
            counter!(BCRYPT_DECOYS).absolute(spent.decoys);
            gauge!(BCRYPT_WAITING).set(gateway.hasher.waiting() as f64);
            gauge!(POOL_OPEN).set(pool.open);
            gauge!(POOL_IN_USE).set(pool.in_use);
            counter!(POOL_CHECKOUTS).absolute(pool.checkouts);
            gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1);
        });
        let mut exposition = self.recorder.handle().render();
        exposition.push_str(&pool_wait(pool.waited));
        exposition
    }
}

/// The time waited for storage connections, a counter of seconds. The recorder's counters
/// hold whole numbers, so this one is written here.
fn pool_wait(waited: Duration) -> String {
    format!(
        "# HELP {POOL_WAITED} Time spent waiting for the storage pool's connections; divided by \
         {POOL_CHECKOUTS}, the mean wait.\n# TYPE {POOL_WAITED} counter\n{POOL_WAITED} {}\n\n",
        waited.as_secs_f64()
    )
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

fn describe() {
    describe_counter!(
        REQUESTS,
        "Requests answered, by operation, protocol and outcome."
    );
    describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "Time to answer a request, by operation, protocol and outcome."
    );
    describe_counter!(LOCKOUTS, "Logins locked after too many wrong passwords.");
    describe_counter!(RATE_LIMITED, "Calls refused by the caller's rate limit.");
    describe_counter!(
        ADDRESS_REFUSED,
        "Logins refused because their client address failed too often."
    );
    describe_counter!(CACHE_HITS, "Credentials recognised without bcrypt.");
    describe_counter!(
        CACHE_MISSES,
        "Credentials the cache did not hold, checked by bcrypt."
    );
    describe_counter!(BCRYPT_CHECKS, "Passwords checked against a stored hash.");
    describe_counter!(
        BCRYPT_DECOYS,
        "Verifications against a decoy hash (unknown or refused logins)."
    );
    describe_gauge!(
        BCRYPT_WAITING,
        "bcrypt verifications and hashes waiting for a core."
    );
    describe_gauge!(POOL_OPEN, "Storage connections the pool holds.");
    describe_gauge!(POOL_IN_USE, "Storage connections lent out.");
    describe_counter!(POOL_CHECKOUTS, "Storage connections taken from the pool.");

    describe_gauge!(BUILD_INFO, "Always 1, labelled with the running version.");
}
