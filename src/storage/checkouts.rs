//! How long requests wait for a pooled connection. r2d2 0.8 reports how many connections are
//! lent out but not the waits, so each backend times its own `get()`.

use super::PoolUse;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct CheckoutClock {
    checkouts: AtomicU64,
    waited_nanos: AtomicU64,
}

impl CheckoutClock {
    /// Runs the pool's `get` and counts it with the time it took.
    pub fn time<T>(&self, get: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let got = get();
        let waited = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.checkouts.fetch_add(1, Ordering::Relaxed);
        self.waited_nanos.fetch_add(waited, Ordering::Relaxed);
        got
    }

    /// The pool's use: `state` (none once the pool is closed) with the checkouts so far.
    pub fn pool_use(&self, state: Option<r2d2::State>) -> PoolUse {
        let (open, idle) = state.map_or((0, 0), |s| (s.connections, s.idle_connections));
        PoolUse {
            open,
            in_use: open - idle,
            checkouts: self.checkouts.load(Ordering::Relaxed),
            waited: Duration::from_nanos(self.waited_nanos.load(Ordering::Relaxed)),
        }
    }
}
