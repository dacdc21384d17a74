-- Password checks per login, for a lockout over a sliding window that holds under concurrency.
-- A row is a slot taken by a check still in progress (`failed` = 0) or a wrong password
-- counted (`failed` = 1). `fingerprint` is 16 bits of a hash of the candidate keyed by the
-- login's stored hash: enough to count the same wrong password sent again once, far too few to
-- recover it.
CREATE TABLE login_attempts (
    id          INTEGER PRIMARY KEY,
    login       TEXT NOT NULL COLLATE NOCASE REFERENCES logins (login) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    fingerprint INTEGER NOT NULL,
    failed      INTEGER NOT NULL CHECK (failed IN (0, 1))
);
CREATE INDEX login_attempts_by_login ON login_attempts (login, at);

-- The count fixed from the first failure gives way to the rows above.
ALTER TABLE logins DROP COLUMN failed_logins;
ALTER TABLE logins DROP COLUMN first_failed_at;
