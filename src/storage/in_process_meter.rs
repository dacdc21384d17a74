//! The meter of a gateway that is alone on its database (SQLite): counters in the process's
//! memory, per key in a ring of fixed buckets (see `meter`'s doc for the sliding rule).

use super::meter::{Admission, CallLimit, FailureLimit, MOST_BUCKETS, Meter, Window};
use crate::domain::{ApiUserId, Result, Timestamp};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// The longest window, in buckets, plus the current bucket.
const BUCKETS: usize = MOST_BUCKETS as usize + 1;
/// Above this many keys, keys with nothing counted in the longest window are dropped, so that
/// a flood of distinct keys (addresses) cannot grow the map without bound.
const PRUNE_ABOVE: usize = 10_000;

/// API users' calls by the second and by the minute, and failed logins per address.
#[derive(Default)]
pub struct InProcessMeter {
    calls_per_minute: UsageMeter<ApiUserId>,
    calls_per_hour: UsageMeter<ApiUserId>,
    failures: UsageMeter<String>,
}

impl Meter for InProcessMeter {
    fn admit_call(&self, user: ApiUserId, at: Timestamp, limit: CallLimit) -> Result<Admission> {
        let (most, window) = limit.window();
        Ok(match limit {
            CallLimit::Tiered { .. } => {
                let admitted = self.calls_per_minute.admit(&user, at, most, window);
                if admitted.is_ok() {
                    self.calls_per_hour.count(&user, at, Window::ROLLING_HOUR);
                }
                admitted
            }
            CallLimit::Flat { .. } => self.calls_per_hour.admit(&user, at, most, window),
        })
    }

    fn release_call(&self, user: ApiUserId, at: Timestamp, limit: CallLimit) -> Result<()> {
        if let CallLimit::Tiered { .. } = limit {
            let window = limit.window().1;
            self.calls_per_minute.release(&user, at, window);
        }
        self.calls_per_hour.release(&user, at, Window::ROLLING_HOUR);
        Ok(())
    }

    fn calls_in_last_hour(&self, user: ApiUserId, at: Timestamp) -> Result<u32> {
        Ok(self
            .calls_per_hour
            .counted(&user, at, Window::ROLLING_HOUR)
            .0)
    }

    fn reserve_failed_login(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<Admission> {
        let key = address.to_owned();
        Ok(self.failures.admit(&key, at, limit.limit, limit.window()))
    }

    fn release_failed_login(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<()> {
        self.failures
            .release(&address.to_owned(), at, limit.window());
        Ok(())
    }

    fn address_blocked_for(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<Option<u32>> {
        let window = limit.window();
        let (counted, oldest) = self.failures.counted(&address.to_owned(), at, window);
        Ok(window.blocked_for(at, limit.limit, counted, oldest))
    }
}

/// Events counted per key; every window one meter judges has the same bucket length.
struct UsageMeter<K> {
    keys: Mutex<HashMap<K, Buckets>>,
}

impl<K> Default for UsageMeter<K> {
    fn default() -> Self {
        UsageMeter {
            keys: Mutex::new(HashMap::new()),
        }
    }
}

struct Buckets {
    /// (bucket number, count in that bucket), indexed by bucket number modulo `BUCKETS`.
    slots: [(i64, u32); BUCKETS],
}

impl Default for Buckets {
    fn default() -> Self {
        Buckets {
            slots: [(i64::MIN, 0); BUCKETS],
        }
    }
}

impl Buckets {
    /// The events counted in `window` at `at`, and the oldest bucket holding any.
    fn counted(&self, at: Timestamp, window: Window) -> (u32, Option<i64>) {
        let first = window.first_bucket(at);
        self.slots
            .iter()
            .filter(|(b, count)| *count > 0 && *b >= first)
            .fold((0, None), |(total, oldest), &(b, count)| {
                (total + count, Some(oldest.map_or(b, |o: i64| o.min(b))))
            })
    }

    fn slot(&mut self, bucket: i64) -> &mut (i64, u32) {
        &mut self.slots[bucket.rem_euclid(BUCKETS as i64) as usize]
    }

    fn add(&mut self, bucket: i64) {
        let slot = self.slot(bucket);
        if slot.0 == bucket {
            slot.1 += 1;
        } else {
            *slot = (bucket, 1);
        }
    }

    fn remove(&mut self, bucket: i64) {
        let slot = self.slot(bucket);
        if slot.0 == bucket {
            slot.1 = slot.1.saturating_sub(1);
        }
    }
}

impl<K: Hash + Eq + Clone> UsageMeter<K> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Buckets>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one event at `at` if fewer than `limit` are counted in the window ending at
    /// `at`.
    fn admit(&self, key: &K, at: Timestamp, limit: u32, window: Window) -> Admission {
        let mut keys = self.lock();
        let buckets = keys.entry(key.clone()).or_default();
        let (counted, oldest) = buckets.counted(at, window);
        let admission = window.judge(at, limit, counted, oldest);
        if admission.is_ok() {
            buckets.add(window.bucket(at));
        }
        if keys.len() > PRUNE_ABOVE {
            let longest = Window {
                span: MOST_BUCKETS,
                ..window
            };
            keys.retain(|_, buckets| buckets.counted(at, longest).0 > 0);
        }
        admission
    }

    /// Counts one event at `at` whatever the count.
    fn count(&self, key: &K, at: Timestamp, window: Window) {
        self.lock()
            .entry(key.clone())
            .or_default()
            .add(window.bucket(at));
    }

    /// Takes back one event counted at `at` (a reservation that turned out not to count).
    fn release(&self, key: &K, at: Timestamp, window: Window) {
        if let Some(buckets) = self.lock().get_mut(key) {
            buckets.remove(window.bucket(at));
        }
    }

    /// The events counted in the window ending at `at`, and the oldest bucket holding any.
    fn counted(&self, key: &K, at: Timestamp, window: Window) -> (u32, Option<i64>) {
        self.lock()
            .get(key)
            .map_or((0, None), |buckets| buckets.counted(at, window))
    }
}
