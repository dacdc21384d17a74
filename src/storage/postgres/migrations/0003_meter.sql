-- The counters every gateway instance shares: API users' calls (the Tiered and Flat rate
-- limits, ApiCallsInLastHour) and failed logins per client address, in fixed buckets (see
-- storage/meter.rs for the sliding rule). UNLOGGED: no WAL is written for them, and a crash
-- of the database forgets them, which only forgives recent calls and failures.
CREATE UNLOGGED TABLE meter_buckets (
    -- 1: calls by the second (Tiered), 2: calls by the minute (rolling hour),
    -- 3: failed logins by the minute per client address.
    meter   SMALLINT NOT NULL,
    -- An API user's id, or a client address.
    key     TEXT     NOT NULL,
    bucket  BIGINT   NOT NULL,
    count   INTEGER  NOT NULL,
    -- When, in seconds, the bucket stops counting: the sweep's mark.
    expires BIGINT   NOT NULL,
    PRIMARY KEY (meter, key, bucket)
);
CREATE INDEX meter_buckets_expires ON meter_buckets (expires);

-- Counts one event of `p_key` in `p_bucket` of `p_meter` if fewer than `p_limit` are counted
-- in its buckets from `p_bucket - p_span` on (later ones included: clocks read apart); when
-- admitted and `p_also_meter` is given, counts it in `p_also_bucket` of that meter too,
-- whatever its count there (a Tiered call in the rolling hour). Returns whether it was admitted, the events counted before it and the
-- oldest bucket holding any; a NULL key counts nothing and returns NULLs (a statement that
-- calls it for a row that may not be admitted). With `p_sweep_before`, first drops every
-- bucket that stopped counting before then, for all keys.
--
-- Exact across instances: the key's transaction-scoped advisory lock is taken before the count
-- is read, and it is released only after this call's commit. Each statement of a VOLATILE
-- function reads a fresh snapshot, so the count read under the lock includes every event the
-- previous holder counted. The lock is keyed on the key alone, so that an API user's calls
-- serialise on one lock whichever meter counts them (a user moved from Tiered to Flat); two
-- keys whose hashes collide merely wait for each other.
CREATE FUNCTION meter_admit(
    p_meter SMALLINT, p_key TEXT, p_bucket BIGINT, p_span BIGINT, p_limit INTEGER,
    p_expires BIGINT, p_also_meter SMALLINT, p_also_bucket BIGINT, p_also_expires BIGINT,
    p_sweep_before BIGINT,
    OUT admitted BOOLEAN, OUT counted INTEGER, OUT oldest BIGINT)
LANGUAGE plpgsql AS $$
BEGIN
    IF p_key IS NULL THEN
        RETURN;
    END IF;
    IF p_sweep_before IS NOT NULL THEN
        DELETE FROM meter_buckets WHERE expires < p_sweep_before;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(p_key, 0));
    SELECT COALESCE(SUM(b.count), 0)::INTEGER, MIN(b.bucket) INTO counted, oldest
      FROM meter_buckets b
     WHERE b.meter = p_meter AND b.key = p_key AND b.count > 0
       AND b.bucket >= p_bucket - p_span;
    admitted := counted < p_limit;
    IF admitted THEN
        INSERT INTO meter_buckets AS b (meter, key, bucket, count, expires)
        VALUES (p_meter, p_key, p_bucket, 1, p_expires)
        ON CONFLICT (meter, key, bucket) DO UPDATE SET count = b.count + 1;
        IF p_also_meter IS NOT NULL THEN
            INSERT INTO meter_buckets AS b (meter, key, bucket, count, expires)
            VALUES (p_also_meter, p_key, p_also_bucket, 1, p_also_expires)
            ON CONFLICT (meter, key, bucket) DO UPDATE SET count = b.count + 1;
        END IF;
    END IF;
END
$$;
