//! The meter every gateway instance on the database shares: buckets in the `UNLOGGED` table
//! `meter_buckets`, an admission one call of the function `meter_admit` (migration 0003), which
//! reads the key's count and counts the event under the key's lock, so that N instances admit
//! exactly what one would. Each statement is sent with its parameters' types
//! (`query_typed`): one round trip, no separate prepare. Authentication's read of a call
//! (`READ_FOR_CALL`) is one statement too: the address's failures, the credential and the
//! call's admission.
//!
//! Buckets that stopped counting are swept by an admission at most once a minute per instance,
//! in the same call: the table holds about an hour of buckets, whatever the number of keys.

use super::credentials::{credential_of, credential_rows, failures_counted};
use super::{PostgresStore, storage_error};
use crate::domain::{Account, AccountId, ApiUserId, Login, Result, Timestamp};
use crate::storage::CallRead;
use crate::storage::meter::{Admission, CallLimit, CallLimits, FailureLimit, Meter, Window};
use ::postgres::types::{ToSql, Type};
use std::sync::atomic::Ordering;

/// The meters' numbers in `meter_buckets.meter`.
const CALLS_BY_SECOND: i16 = 1;
const CALLS_BY_MINUTE: i16 = 2;
const FAILURES_BY_MINUTE: i16 = 3;

/// `Store::read_for_call` in one statement: the address's failures (`$2`, none when NULL), the
/// credential of `$1`, and, for an API user who may authenticate from an address that is not
/// refused, its call admitted by `meter_admit` under its scheme's meter and limit.
const READ_FOR_CALL: &str = concat!(
    "WITH address AS (
         SELECT COALESCE(SUM(count), 0)::INTEGER AS counted, MIN(bucket) AS oldest
           FROM meter_buckets
          WHERE meter = $12 AND key = $2 AND count > 0 AND bucket >= $3
     ), credential AS (",
    credential_rows!(),
    ") SELECT address.counted AS address_counted, address.oldest AS address_oldest, c.*,
              m.counted AS call_counted, m.oldest AS call_oldest
         FROM address
         LEFT JOIN credential c ON TRUE
         LEFT JOIN LATERAL meter_admit(
             CASE WHEN c.tiered_rate_limit THEN $13 ELSE $14 END,
             CASE WHEN c.may_authenticate AND address.counted < $4 THEN c.api_user_id::TEXT END,
             CASE WHEN c.tiered_rate_limit THEN $5 ELSE $8 END,
             CASE WHEN c.tiered_rate_limit THEN $15 ELSE $16 END,
             CASE WHEN c.tiered_rate_limit THEN $6 ELSE $9 END,
             CASE WHEN c.tiered_rate_limit THEN $7 ELSE $10 END,
             CASE WHEN c.tiered_rate_limit THEN $14 END,
             $8, $10, $11) m ON TRUE"
);

/// `READ_FOR_CALL`'s parameters' types.
const READ_FOR_CALL_TYPES: [Type; 16] = [
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT4,
    Type::INT8,
    Type::INT4,
    Type::INT8,
    Type::INT8,
    Type::INT4,
    Type::INT8,
    Type::INT8,
    Type::INT2,
    Type::INT2,
    Type::INT2,
    Type::INT8,
    Type::INT8,
];

/// How often an instance sweeps buckets that stopped counting.
const SWEEP_EVERY_SECONDS: i64 = 60;

/// One meter's key and where it counts.
struct Counter<'a> {
    meter: i16,
    key: &'a str,
    window: Window,
}

impl PostgresStore {
    /// Counts an event at `at` in `counter` unless `limit` is reached there; when admitted,
    /// counts it in `also` too.
    fn admit(
        &self,
        counter: &Counter,
        at: Timestamp,
        limit: u32,
        also: Option<&Counter>,
    ) -> Result<Admission> {
        let window = counter.window;
        let bucket = window.bucket(at);
        let also_bucket = also.map(|c| c.window.bucket(at));
        let also_expires = also.zip(also_bucket).map(|(c, b)| c.window.leaves_at(b));
        let limit_sql = i32::try_from(limit).unwrap_or(i32::MAX);
        let sweep_before = self.sweep_due(at);
        let params: [(&(dyn ToSql + Sync), Type); 10] = [
            (&counter.meter, Type::INT2),
            (&counter.key, Type::TEXT),
            (&bucket, Type::INT8),
            (&window.span, Type::INT8),
            (&limit_sql, Type::INT4),
            (&window.leaves_at(bucket), Type::INT8),
            (&also.map(|c| c.meter), Type::INT2),
            (&also_bucket, Type::INT8),
            (&also_expires, Type::INT8),
            (&sweep_before, Type::INT8),
        ];
        let row = self.run(|conn| {
            conn.query_typed_one(
                "SELECT counted, oldest FROM meter_admit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &params,
            )
            .map_err(storage_error)
        })?;
        let counted = u32::try_from(row.get::<_, i32>(0)).unwrap_or(0);
        Ok(window.judge(at, limit, counted, row.get(1)))
    }

    /// The events counted in `counter`'s window at `at`, and the oldest bucket holding any.
    fn counted(&self, counter: &Counter, at: Timestamp) -> Result<(u32, Option<i64>)> {
        let window = counter.window;
        let row = self.statement(|conn| {
            conn.query_typed_one(
                "SELECT COALESCE(SUM(count), 0)::INTEGER, MIN(bucket) FROM meter_buckets
                 WHERE meter = $1 AND key = $2 AND count > 0 AND bucket >= $3",
                &[
                    (&counter.meter, Type::INT2),
                    (&counter.key, Type::TEXT),
                    (&window.first_bucket(at), Type::INT8),
                ],
            )
        })?;
        Ok((u32::try_from(row.get::<_, i32>(0)).unwrap_or(0), row.get(1)))
    }

    /// `Store::read_for_call` in one round trip (see `READ_FOR_CALL`), prepared once per
    /// connection.
    pub(super) fn read_for_call_in_one_statement(
        &self,
        login: &Login,
        address: Option<&str>,
        at: Timestamp,
        limits: CallLimits,
    ) -> Result<CallRead> {
        let (tiered, hourly) = (Window::TIERED_MINUTE, Window::ROLLING_HOUR);
        let failures = limits.failures.window();
        let (tiered_bucket, hour_bucket) = (tiered.bucket(at), hourly.bucket(at));
        let limit = |most: u32| i32::try_from(most).unwrap_or(i32::MAX);
        let values: [&(dyn ToSql + Sync); 16] = [
            &login.as_str(),
            &address,
            &failures.first_bucket(at),
            &limit(limits.failures.limit),
            &tiered_bucket,
            &limit(limits.tiered_per_minute),
            &tiered.leaves_at(tiered_bucket),
            &hour_bucket,
            &limit(limits.flat_per_hour),
            &hourly.leaves_at(hour_bucket),
            &self.sweep_due(at),
            &FAILURES_BY_MINUTE,
            &CALLS_BY_SECOND,
            &CALLS_BY_MINUTE,
            &tiered.span,
            &hourly.span,
        ];
        let row = self.statement(|conn| {
            let statement = conn.prepared(READ_FOR_CALL, &READ_FOR_CALL_TYPES)?;
            conn.query_one(&statement, &values)
        })?;
        let counted = u32::try_from(row.get::<_, i32>("address_counted")).unwrap_or(0);
        let oldest = row.get("address_oldest");
        let blocked = failures.blocked_for(at, limits.failures.limit, counted, oldest);
        if address.is_some() && blocked.is_some() {
            return Ok(CallRead::blocked(blocked));
        }
        let known = row.get::<_, Option<i64>>("account_id").is_some();
        let credential = known.then(|| credential_of(&row)).transpose()?;
        let call = row.get::<_, Option<i32>>("call_counted");
        let admission = credential.as_ref().zip(call).map(|(stored, counted)| {
            let (most, window) = limits.for_scheme(stored.tiered_rate_limit).window();
            let counted = u32::try_from(counted).unwrap_or(0);
            window.judge(at, most, counted, row.get("call_oldest"))
        });
        Ok(CallRead {
            address_blocked_for: None,
            credential,
            admission,
        })
    }

    /// `Store::account_with_calls` in one statement (see `account_with_count`): anyone but an
    /// API user reads the count of no key, 0.
    pub(super) fn account_with_calls_at_once(
        &self,
        account: AccountId,
        user: Option<ApiUserId>,
        at: Timestamp,
    ) -> Result<(Account, u32)> {
        let key = user.map(|user| user.0.to_string());
        let first_bucket = Window::ROLLING_HOUR.first_bucket(at);
        self.account_with_count(account, CALLS_BY_MINUTE, key.as_deref(), first_bucket)
    }

    /// Takes back one event counted at `at` in `counter`, and in `also` (same key) if given.
    fn release(&self, counter: &Counter, also: Option<&Counter>, at: Timestamp) -> Result<()> {
        self.run(|conn| {
            conn.query_typed(
                "UPDATE meter_buckets SET count = count - 1
                 WHERE key = $1 AND count > 0
                   AND ((meter = $2 AND bucket = $3) OR (meter = $4 AND bucket = $5))",
                &[
                    (&counter.key, Type::TEXT),
                    (&counter.meter, Type::INT2),
                    (&counter.window.bucket(at), Type::INT8),
                    (&also.map(|c| c.meter), Type::INT2),
                    (&also.map(|c| c.window.bucket(at)), Type::INT8),
                ],
            )
            .map(|_| ())
            .map_err(storage_error)
        })
    }

    /// `at`, when this instance's last sweep is a minute old: buckets that stopped counting
    /// before then go.
    fn sweep_due(&self, at: Timestamp) -> Option<i64> {
        let next = self.next_sweep.load(Ordering::Relaxed);
        let now = at.seconds();
        (now >= next
            && self
                .next_sweep
                .compare_exchange(
                    next,
                    now + SWEEP_EVERY_SECONDS,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok())
        .then_some(now)
    }
}

/// An API user's calls over the Tiered minute.
fn calls_by_second(user: &str) -> Counter<'_> {
    Counter {
        meter: CALLS_BY_SECOND,
        key: user,
        window: Window::TIERED_MINUTE,
    }
}

/// An API user's calls over the rolling hour.
fn calls_by_minute(user: &str) -> Counter<'_> {
    Counter {
        meter: CALLS_BY_MINUTE,
        key: user,
        window: Window::ROLLING_HOUR,
    }
}

fn failures(address: &str, limit: FailureLimit) -> Counter<'_> {
    Counter {
        meter: FAILURES_BY_MINUTE,
        key: address,
        window: limit.window(),
    }
}

impl Meter for PostgresStore {
    fn admit_call(&self, user: ApiUserId, at: Timestamp, limit: CallLimit) -> Result<Admission> {
        let key = user.0.to_string();
        let hour = calls_by_minute(&key);
        match limit {
            CallLimit::Tiered { per_minute } => {
                self.admit(&calls_by_second(&key), at, per_minute, Some(&hour))
            }
            CallLimit::Flat { per_hour } => self.admit(&hour, at, per_hour, None),
        }
    }

    fn release_call(&self, user: ApiUserId, at: Timestamp, limit: CallLimit) -> Result<()> {
        let key = user.0.to_string();
        let hour = calls_by_minute(&key);
        match limit {
            CallLimit::Tiered { .. } => self.release(&calls_by_second(&key), Some(&hour), at),
            CallLimit::Flat { .. } => self.release(&hour, None, at),
        }
    }

    fn calls_in_last_hour(&self, user: ApiUserId, at: Timestamp) -> Result<u32> {
        let key = user.0.to_string();
        Ok(self.counted(&calls_by_minute(&key), at)?.0)
    }

    fn reserve_failed_login(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<Admission> {
        self.admit(&failures(address, limit), at, limit.limit, None)
    }

    fn release_failed_login(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<()> {
        self.release(&failures(address, limit), None, at)
    }

    fn address_blocked_for(
        &self,
        address: &str,
        at: Timestamp,
        limit: FailureLimit,
    ) -> Result<Option<u32>> {
        let counter = failures(address, limit);
        let (counted, oldest) = self.counted(&counter, at)?;
        Ok(counter.window.blocked_for(at, limit.limit, counted, oldest))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_cluster::fresh_database_url;
    use super::*;

    const T: i64 = 1_800_000_000;

    fn buckets(store: &PostgresStore) -> Vec<(i16, i64)> {
        store
            .run(|conn| {
                conn.query("SELECT meter, bucket FROM meter_buckets ORDER BY 1, 2", &[])
                    .map_err(storage_error)
            })
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect()
    }

    #[test]
    fn buckets_that_stopped_counting_are_swept_once_a_minute() {
        let store = PostgresStore::open(&fresh_database_url()).unwrap();
        let tiered = CallLimit::Tiered { per_minute: 600 };
        let (user, address) = (ApiUserId(1), "192.0.2.7");
        let limit = FailureLimit {
            limit: 5,
            window_minutes: 1,
        };
        store
            .admit_call(user, Timestamp(T), tiered)
            .unwrap()
            .unwrap();
        store
            .reserve_failed_login(address, Timestamp(T), limit)
            .unwrap()
            .unwrap();
        assert_eq!(
            buckets(&store),
            [
                (CALLS_BY_SECOND, T),
                (CALLS_BY_MINUTE, T / 60),
                (FAILURES_BY_MINUTE, T / 60)
            ]
        );
        let later = Timestamp(T + 2 * 3600);
        store.admit_call(user, later, tiered).unwrap().unwrap();
        assert_eq!(
            buckets(&store),
            [(CALLS_BY_SECOND, later.0), (CALLS_BY_MINUTE, later.0 / 60)],
            "an hour and more later, the old buckets of every key are gone"
        );
        let soon = Timestamp(later.0 + 62);
        store.admit_call(user, soon, tiered).unwrap().unwrap();
        assert_eq!(
            buckets(&store),
            [
                (CALLS_BY_SECOND, soon.0),
                (CALLS_BY_MINUTE, later.0 / 60),
                (CALLS_BY_MINUTE, soon.0 / 60)
            ],
            "a minute on, the Tiered second has left its window"
        );
    }
}
