//! The counters that protect the service, behind one contract, `Meter`: API users' calls
//! (the Tiered and Flat rate limits, the `X-RateLimit-*` figures and `ApiCallsInLastHour`)
//! and failed logins per client address. A SQLite file serves one gateway instance, so its
//! counters live in the process (`InProcessMeter`); on PostgreSQL every instance counts in the
//! database, so that N instances admit exactly what one would.
//!
//! Every window is sliding, judged over fixed buckets: a window of `n` buckets over the
//! `n + 1` most recent, the current one included. A span of the window's length touches at
//! most `n + 1` consecutive buckets, and the last event admitted within it saw every one of
//! them; so no span of the window's length ever holds more than the limit, wherever the bucket
//! edges fall. The price: an event is counted for up to one bucket longer than the window (one
//! second for the Tiered minute, one minute for the rolling hour). The arithmetic is here,
//! once, for both backends.

use crate::domain::{ApiUserId, Result, Timestamp};

/// Where a caller stands against a limit over a window: the `X-RateLimit-*` figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    /// What is left of the limit now (after the call, when one was counted).
    pub remaining: u32,
    /// Seconds until the count next goes down.
    pub reset_seconds: u32,
}

/// An event counted (`Ok`) or refused because the limit is reached (`Err`), with the standing.
pub type Admission = std::result::Result<Standing, Standing>;

/// An API user's rate limit, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallLimit {
    /// No 60-second span holds more than this many calls.
    Tiered { per_minute: u32 },
    /// No rolling hour holds more than this many calls.
    Flat { per_hour: u32 },
}

/// Failed logins one client address may have within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureLimit {
    pub limit: u32,
    /// 1 to 60 minutes.
    pub window_minutes: i64,
}

/// Every limit a call is judged against: its API user's, by scheme, and its address's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLimits {
    pub tiered_per_minute: u32,
    pub flat_per_hour: u32,
    pub failures: FailureLimit,
}

impl CallLimits {
    /// An API user's limit under its scheme.
    pub fn for_scheme(self, tiered: bool) -> CallLimit {
        match tiered {
            true => CallLimit::Tiered {
                per_minute: self.tiered_per_minute,
            },
            false => CallLimit::Flat {
                per_hour: self.flat_per_hour,
            },
        }
    }
}

pub trait Meter: Send + Sync {
    /// Counts one call of `user` at `at` unless its scheme's limit is reached; every admitted
    /// call, Tiered or Flat, counts towards the user's rolling hour.
    fn admit_call(&self, user: ApiUserId, at: Timestamp, limit: CallLimit) -> Result<Admission>;
    /// Gives back a call admitted at `at` under `limit` that turned out not to be one (its
    /// password was wrong).
    fn release_call(&self, user: ApiUserId, at: Timestamp, limit: CallLimit) -> Result<()>;
    /// Calls of `user` admitted over the rolling hour up to `at` (`ApiCallsInLastHour`).
    fn calls_in_last_hour(&self, user: ApiUserId, at: Timestamp) -> Result<u32>;
    /// Counts one failed login of `address` at `at` before it is known to have failed (a
    /// reservation), unless the address's limit is reached.
    fn reserve_failed_login(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<Admission>;
    /// Gives back a reservation made at `at` that turned out not to be a failure.
    fn release_failed_login(&self, address: &str, at: Timestamp, limit: FailureLimit)
    -> Result<()>;
    /// Seconds until `address` may try again, when its failures reach the limit.
    fn address_blocked_for(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<Option<u32>>;
}

/// A sliding window of `span` buckets of `bucket_seconds` each (see the module's doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub bucket_seconds: i64,
    pub span: i64,
}

/// The most buckets a window has, so that a key keeps at most `MOST_BUCKETS + 1` of them.
pub const MOST_BUCKETS: i64 = 60;

impl Window {
    /// The Tiered limit's minute, to the second.
    pub const TIERED_MINUTE: Window = Window {
        bucket_seconds: 1,
        span: 60,
    };
    /// The Flat limit's hour and `ApiCallsInLastHour`, to the minute.
    pub const ROLLING_HOUR: Window = Window {
        bucket_seconds: 60,
        span: 60,
    };

    /// The per-address window, to the minute.
    pub fn of_minutes(minutes: i64) -> Window {
        Window {
            bucket_seconds: 60,
            span: minutes.clamp(1, MOST_BUCKETS),
        }
    }

    /// The bucket `at` falls in.
    pub fn bucket(self, at: Timestamp) -> i64 {
        at.seconds().div_euclid(self.bucket_seconds)
    }

    /// The oldest bucket the window ending at `at` judges; it judges every later one too.
    pub fn first_bucket(self, at: Timestamp) -> i64 {
        self.bucket(at) - self.span
    }

    /// When (in seconds) events of `bucket` stop counting.
    pub fn leaves_at(self, bucket: i64) -> i64 {
        (bucket + self.span + 1) * self.bucket_seconds
    }

    /// Seconds from `at` until the bucket `oldest` leaves the window; 0 when nothing counts.
    pub fn seconds_until_gone(self, oldest: Option<i64>, at: Timestamp) -> u32 {
        oldest.map_or(0, |b| {
            u32::try_from(self.leaves_at(b) - at.seconds()).unwrap_or(0)
        })
    }

    /// The outcome of an event at `at` judged against `limit`, given the events `counted` in
    /// the window before it and the `oldest` bucket holding any of them.
    pub fn judge(self, at: Timestamp, limit: u32, counted: u32, oldest: Option<i64>) -> Admission {
        if counted >= limit {
            return Err(Standing {
                limit,
                remaining: 0,
                reset_seconds: self.seconds_until_gone(oldest, at).max(1),
            });
        }
        let oldest = oldest.map_or(self.bucket(at), |b| b.min(self.bucket(at)));
        Ok(Standing {
            limit,
            remaining: limit - counted - 1,
            reset_seconds: self.seconds_until_gone(Some(oldest), at),
        })
    }

    /// Seconds until an address whose window holds `counted` failures may try again.
    pub fn blocked_for(
        self,
        at: Timestamp,
        limit: u32,
        counted: u32,
        oldest: Option<i64>,
    ) -> Option<u32> {
        (counted >= limit).then(|| self.seconds_until_gone(oldest, at).max(1))
    }
}

impl CallLimit {
    /// The limit and the window it is judged over.
    pub fn window(self) -> (u32, Window) {
        match self {
            CallLimit::Tiered { per_minute } => (per_minute, Window::TIERED_MINUTE),
            CallLimit::Flat { per_hour } => (per_hour, Window::ROLLING_HOUR),
        }
    }
}

impl FailureLimit {
    pub fn window(self) -> Window {
        Window::of_minutes(self.window_minutes)
    }
}
