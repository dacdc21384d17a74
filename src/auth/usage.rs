//! Counts each API user's calls over the rolling last hour, in one-minute buckets, for
//! `ApiCallsInLastHour` / `ApiCallsRemaining`.

use crate::domain::{ApiUserId, Timestamp};
use std::collections::HashMap;
use std::sync::Mutex;

const BUCKETS: usize = 60;
const BUCKET_SECONDS: i64 = 60;

#[derive(Default)]
pub struct UsageMeter {
    users: Mutex<HashMap<ApiUserId, Window>>,
}

struct Window {
    /// (minute number, calls in that minute), indexed by minute modulo the bucket count.
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
    fn total(&self, minute: i64) -> u32 {
        self.buckets
            .iter()
            .filter(|(m, _)| *m <= minute && *m > minute - BUCKETS as i64)
            .map(|(_, calls)| calls)
            .sum()
    }
}

impl UsageMeter {
    /// Counts one call at `at`.
    pub fn record(&self, user: ApiUserId, at: Timestamp) {
        let minute = at.seconds().div_euclid(BUCKET_SECONDS);
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        let window = users.entry(user).or_default();
        let slot = &mut window.buckets[minute.rem_euclid(BUCKETS as i64) as usize];
        if slot.0 == minute {
            slot.1 += 1;
        } else {
            *slot = (minute, 1);
        }
    }

    /// Calls counted in the hour up to `at`.
    pub fn calls_in_last_hour(&self, user: ApiUserId, at: Timestamp) -> u32 {
        let minute = at.seconds().div_euclid(BUCKET_SECONDS);
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users.get(&user).map_or(0, |w| w.total(minute))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_rolling_hour_only() {
        let meter = UsageMeter::default();
        let user = ApiUserId(1);
        let start = Timestamp(1_800_000_000);
        meter.record(user, start);
        meter.record(user, start);
        meter.record(user, Timestamp(start.0 + 30 * 60));
        assert_eq!(
            meter.calls_in_last_hour(user, Timestamp(start.0 + 30 * 60)),
            3
        );
        assert_eq!(
            meter.calls_in_last_hour(user, Timestamp(start.0 + 61 * 60)),
            1
        );
        assert_eq!(
            meter.calls_in_last_hour(user, Timestamp(start.0 + 91 * 60)),
            0
        );
        assert_eq!(meter.calls_in_last_hour(ApiUserId(2), start), 0);
    }
}
