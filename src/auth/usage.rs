//! Events counted per key over sliding windows in fixed buckets: API users' calls (rate
//! limits, `ApiCallsInLastHour`) and client addresses' failed logins.
//!
//! A window of `n` buckets is judged over the `n + 1` most recent buckets, the current one
//! included. A span of the window's length touches at most `n + 1` consecutive buckets, and the
//! last event admitted within it saw every one of them; so no span of the window's length ever
//! holds more than the limit, wherever the bucket edges fall. The price: an event is counted
//! for up to one bucket longer than the window (one second for the Tiered minute, one minute
//! for the rolling hour).

use crate::domain::Timestamp;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// The longest window, in buckets, plus the current bucket.
const BUCKETS: usize = 61;
/// Above this many keys, keys with nothing counted in the longest window are dropped, so that
/// a flood of distinct keys (addresses) cannot grow the map without bound.
const PRUNE_ABOVE: usize = 10_000;

pub struct UsageMeter<K> {
    bucket_seconds: i64,
    keys: Mutex<HashMap<K, Window>>,
}

struct Window {
    /// (bucket number, count in that bucket), indexed by bucket number modulo `BUCKETS`.
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
    /// The buckets of a window of `span` buckets up to `bucket`, with their counts.
    fn recent(&self, bucket: i64, span: i64) -> impl Iterator<Item = (i64, u32)> + '_ {
        self.buckets
            .iter()
            .copied()
            .filter(move |(b, count)| *count > 0 && *b <= bucket && *b >= bucket - span)
    }

    fn total(&self, bucket: i64, span: i64) -> u32 {
        self.recent(bucket, span).map(|(_, count)| count).sum()
    }

    fn slot(&mut self, bucket: i64) -> &mut (i64, u32) {
        &mut self.buckets[bucket.rem_euclid(BUCKETS as i64) as usize]
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
    /// A meter whose windows are whole numbers of `bucket_seconds`-long buckets, at most 60.
    pub fn new(bucket_seconds: i64) -> UsageMeter<K> {
        UsageMeter {
            bucket_seconds: bucket_seconds.max(1),
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn bucket_of(&self, at: Timestamp) -> i64 {
        at.seconds().div_euclid(self.bucket_seconds)
    }

    /// A window's length in buckets (1 to 60).
    fn span(&self, window_seconds: i64) -> i64 {
        (window_seconds / self.bucket_seconds).clamp(1, BUCKETS as i64 - 1)
    }

    /// Seconds from `at` until the oldest counted bucket of the window leaves it.
    fn seconds_until_oldest_expires(&self, window: &Window, at: Timestamp, span: i64) -> u32 {
        let oldest = window
            .recent(self.bucket_of(at), span)
            .map(|(b, _)| b)
            .min();
        oldest.map_or(0, |b| {
            let leaves_at = (b + span + 1) * self.bucket_seconds;
            u32::try_from(leaves_at - at.seconds()).unwrap_or(0)
        })
    }

    /// Counts one event at `at` if fewer than `limit` are counted in the window ending at
    /// `at`; `Err` with the standing when the limit is reached.
    pub fn admit(
        &self,
        key: &K,
        at: Timestamp,
        limit: u32,
        window_seconds: i64,
    ) -> Result<Standing, Standing> {
        let (bucket, span) = (self.bucket_of(at), self.span(window_seconds));
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let window = keys.entry(key.clone()).or_default();
        let counted = window.total(bucket, span);
        if counted >= limit {
            return Err(Standing {
                limit,
                remaining: 0,
                reset_seconds: self.seconds_until_oldest_expires(window, at, span).max(1),
            });
        }
        window.add(bucket);
        let standing = Standing {
            limit,
            remaining: limit - counted - 1,
            reset_seconds: self.seconds_until_oldest_expires(window, at, span),
        };
        if keys.len() > PRUNE_ABOVE {
            keys.retain(|_, window| window.total(bucket, BUCKETS as i64) > 0);
        }
        Ok(standing)
    }

    /// Counts one event at `at` whatever the count.
    pub fn count(&self, key: &K, at: Timestamp) {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.entry(key.clone()).or_default().add(self.bucket_of(at));
    }

    /// Takes back one event counted at `at` (a reservation that turned out not to count).
    pub fn release(&self, key: &K, at: Timestamp) {
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(window) = keys.get_mut(key) {
            window.remove(self.bucket_of(at));
        }
    }

    /// Whether `limit` events are counted in the window ending at `at`, and if so for how
    /// many more seconds.
    pub fn blocked_for(
        &self,
        key: &K,
        at: Timestamp,
        limit: u32,
        window_seconds: i64,
    ) -> Option<u32> {
        let span = self.span(window_seconds);
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        let window = keys.get(key)?;
        (window.total(self.bucket_of(at), span) >= limit)
            .then(|| self.seconds_until_oldest_expires(window, at, span).max(1))
    }

    /// Events counted in the window ending at `at`.
    pub fn counted(&self, key: &K, at: Timestamp, window_seconds: i64) -> u32 {
        let keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        keys.get(key).map_or(0, |w| {
            w.total(self.bucket_of(at), self.span(window_seconds))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;
    const MINUTE: i64 = 60;
    /// A whole minute and a whole hour.
    const START: i64 = 1_800_000_000;

    #[test]
    fn counts_the_rolling_hour_only() {
        let meter = UsageMeter::new(60);
        let start = Timestamp(START);
        meter.admit(&1, start, 100, HOUR).unwrap();
        meter.admit(&1, start, 100, HOUR).unwrap();
        meter
            .admit(&1, Timestamp(START + 30 * 60), 100, HOUR)
            .unwrap();
        assert_eq!(meter.counted(&1, Timestamp(START + 30 * 60), HOUR), 3);
        assert_eq!(meter.counted(&1, Timestamp(START + 61 * 60), HOUR), 1);
        assert_eq!(meter.counted(&1, Timestamp(START + 91 * 60), HOUR), 0);
        assert_eq!(meter.counted(&2, start, HOUR), 0);
    }

    #[test]
    fn the_minute_edge_lets_no_burst_through() {
        let meter = UsageMeter::new(1);
        for _ in 0..2 {
            meter.admit(&"k", Timestamp(START + 59), 3, MINUTE).unwrap();
        }
        let next_minute = Timestamp(START + 60);
        let admitted = (0..3)
            .filter(|_| meter.admit(&"k", next_minute, 3, MINUTE).is_ok())
            .count();
        assert_eq!(admitted, 1, "2 at :59 and 3 at :00 admit only 3 in all");
        let refused = meter.admit(&"k", next_minute, 3, MINUTE).unwrap_err();
        assert_eq!((refused.remaining, refused.reset_seconds), (0, 60));
        assert_eq!(meter.blocked_for(&"k", next_minute, 3, MINUTE), Some(60));
        assert!(meter.admit(&"k", Timestamp(START + 120), 3, MINUTE).is_ok());
        assert_eq!(meter.blocked_for(&"other", next_minute, 3, MINUTE), None);
    }

    #[test]
    fn no_span_of_the_window_holds_more_than_the_limit() {
        for (bucket_seconds, window, step) in [(1, MINUTE, 1), (60, HOUR, 17)] {
            let meter = UsageMeter::new(bucket_seconds);
            let admitted: Vec<i64> = (0..window * 4 / step)
                .map(|n| START + 7 + n * step)
                .filter(|&at| meter.admit(&0, Timestamp(at), 5, window).is_ok())
                .collect();
            assert!(
                admitted.len() >= 15,
                "the limit is reached window after window"
            );
            for &from in &admitted {
                let within = admitted
                    .iter()
                    .filter(|&&at| at >= from && at <= from + window)
                    .count();
                assert!(within <= 5, "{within} admitted within {window} s of {from}");
            }
        }
    }

    #[test]
    fn a_released_event_no_longer_counts() {
        let meter = UsageMeter::new(60);
        let at = Timestamp(START + 5);
        meter.admit(&"a", at, 2, MINUTE).unwrap();
        meter.admit(&"a", at, 2, MINUTE).unwrap();
        assert!(meter.blocked_for(&"a", at, 2, MINUTE).is_some());
        meter.release(&"a", at);
        assert_eq!(meter.counted(&"a", at, MINUTE), 1);
        assert!(meter.admit(&"a", at, 2, MINUTE).is_ok());
    }
}
