//! Calls and failures counted over a rolling hour in one-minute buckets, per key: API users'
//! calls (rate limits, `ApiCallsInLastHour`) and client addresses' failed logins.

use crate::domain::Timestamp;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

const BUCKETS: usize = 60;
const BUCKET_SECONDS: i64 = 60;
/// Above this many keys, keys with nothing counted in the last hour are dropped, so that a
/// flood of distinct keys (addresses) cannot grow the map without bound.
const PRUNE_ABOVE: usize = 10_000;

pub struct UsageMeter<K> {
    keys: Mutex<HashMap<K, Window>>,
}

impl<K> Default for UsageMeter<K> {
    fn default() -> Self {
        UsageMeter {
            keys: Mutex::new(HashMap::new()),
        }
    }
}

struct Window {
    /// (minute number, count in that minute), indexed by minute modulo the bucket count.
    buckets: [(i64, u32); BUCKETS],
}

impl Default for Window {
    fn default() -> Self {
        Window {
            buckets: [(i64::MIN, 0); BUCKETS],
        }
    }
}

impl Window {
    /// The buckets of the last `minutes` minutes up to `minute`, with their counts.
    fn recent(&self, minute: i64, minutes: i64) -> impl Iterator<Item = (i64, u32)> + '_ {
        self.buckets
            .iter()
            .copied()
            .filter(move |(m, count)| *count > 0 && *m <= minute && *m > minute - minutes)
    }

    fn total(&self, minute: i64, minutes: i64) -> u32 {
        self.recent(minute, minutes).map(|(_, count)| count).sum()
    }

    /// Seconds from `at` until the oldest counted minute of the window leaves it.
    fn seconds_until_oldest_expires(&self, at: Timestamp, minutes: i64) -> u32 {
        let minute = minute_of(at);
        let oldest = self.recent(minute, minutes).map(|(m, _)| m).min();
        oldest.map_or(0, |m| {
            let leaves_at = (m + minutes) * BUCKET_SECONDS;
            u32::try_from(leaves_at - at.seconds()).unwrap_or(0)
        })
    }

    fn add(&mut self, minute: i64) {
        let slot = &mut self.buckets[minute.rem_euclid(BUCKETS as i64) as usize];
        if slot.0 == minute {
            slot.1 += 1;
        } else {
            *slot = (minute, 1);
        }
    }
}

fn minute_of(at: Timestamp) -> i64 {
    at.seconds().div_euclid(BUCKET_SECONDS)
}

/// Where a key stands against a limit over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    /// What is left of the limit now (after the call, when one was counted).
    pub remaining: u32,
    /// Seconds until the count next goes down.
    pub reset_seconds: u32,
}

impl<K: Hash + Eq + Clone> UsageMeter<K> {
    /// Counts one event at `at` if fewer than `limit` were counted over the last
    /// `window_minutes` (1 to 60); `Err` with the standing when the limit is reached.
    pub fn admit(
        &self,
        key: &K,
        at: Timestamp,
        limit: u32,
        window_minutes: i64,
    ) -> Result<Standing, Standing> {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let window = keys.entry(key.clone()).or_default();
        let minute = minute_of(at);
        let counted = window.total(minute, window_minutes);
        if counted >= limit {
            return Err(Standing {
                limit,
                remaining: 0,
                reset_seconds: window
                    .seconds_until_oldest_expires(at, window_minutes)
                    .max(1),
            });
        }
        window.add(minute);
        let standing = Standing {
            limit,
            remaining: limit - counted - 1,
            reset_seconds: window.seconds_until_oldest_expires(at, window_minutes),
        };
        if keys.len() > PRUNE_ABOVE {
            keys.retain(|_, window| window.total(minute, BUCKETS as i64) > 0);
        }
        Ok(standing)
    }

    /// Whether `limit` events were counted over the last `window_minutes`, and if so for
    /// how many more seconds.
    pub fn blocked_for(
        &self,
        key: &K,
        at: Timestamp,
        limit: u32,
        window_minutes: i64,
    ) -> Option<u32> {
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let window = keys.get(key)?;
        (window.total(minute_of(at), window_minutes) >= limit).then(|| {
            window
                .seconds_until_oldest_expires(at, window_minutes)
                .max(1)
        })
    }

    /// Events counted in the hour up to `at`.
    pub fn in_last_hour(&self, key: &K, at: Timestamp) -> u32 {
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.get(key)
            .map_or(0, |w| w.total(minute_of(at), BUCKETS as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 60;

    #[test]
    fn counts_the_rolling_hour_only() {
        let meter = UsageMeter::default();
        let start = Timestamp(1_800_000_000);
        meter.admit(&1, start, 100, HOUR).unwrap();
        meter.admit(&1, start, 100, HOUR).unwrap();
        meter
            .admit(&1, Timestamp(start.0 + 30 * 60), 100, HOUR)
            .unwrap();
        assert_eq!(meter.in_last_hour(&1, Timestamp(start.0 + 30 * 60)), 3);
        assert_eq!(meter.in_last_hour(&1, Timestamp(start.0 + 61 * 60)), 1);
        assert_eq!(meter.in_last_hour(&1, Timestamp(start.0 + 91 * 60)), 0);
        assert_eq!(meter.in_last_hour(&2, start), 0);
    }

    #[test]
    fn refuses_at_the_limit_until_the_oldest_minute_leaves_the_window() {
        let meter = UsageMeter::default();
        let start = Timestamp(1_800_000_000); // a whole minute
        let first = meter.admit(&"k", start, 2, 1).unwrap();
        assert_eq!(
            (first.limit, first.remaining, first.reset_seconds),
            (2, 1, 60)
        );
        let second = meter.admit(&"k", Timestamp(start.0 + 20), 2, 1).unwrap();
        assert_eq!((second.remaining, second.reset_seconds), (0, 40));
        let refused = meter
            .admit(&"k", Timestamp(start.0 + 30), 2, 1)
            .unwrap_err();
        assert_eq!((refused.remaining, refused.reset_seconds), (0, 30));
        assert_eq!(
            meter.blocked_for(&"k", Timestamp(start.0 + 30), 2, 1),
            Some(30)
        );
        assert_eq!(
            meter.in_last_hour(&"k", Timestamp(start.0 + 30)),
            2,
            "refusals not counted"
        );
        assert!(meter.admit(&"k", Timestamp(start.0 + 60), 2, 1).is_ok());
        assert_eq!(meter.blocked_for(&"other", start, 2, 1), None);
    }
}
