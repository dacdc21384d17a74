-- SQLite's four migrations folded into one schema. Times are seconds since the epoch, as the
-- store is given them (`Timestamp`), so both backends keep the same values.

-- Every login, of an account user or an API user, is unique across the database: HTTP Basic
-- names the principal by login alone. `Login` lower-cases every login before it is stored, so
-- plain equality compares case-insensitively; the check keeps it so. A login's row is also
-- what serialises the checks of its failure budget (`SELECT … FOR UPDATE`).
CREATE TABLE logins (
    login TEXT PRIMARY KEY CHECK (login = lower(login))
);

CREATE TABLE accounts (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name      TEXT NOT NULL,
    locale    TEXT NOT NULL DEFAULT 'en-GB',
    time_zone TEXT NOT NULL DEFAULT 'Etc/UTC',
    created   BIGINT NOT NULL
);

CREATE TABLE account_users (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id),
    login              TEXT NOT NULL UNIQUE REFERENCES logins (login),
    password_hash      TEXT NOT NULL,
    is_owner           BOOLEAN NOT NULL,
    can_manage_account BOOLEAN NOT NULL,
    locked             BOOLEAN NOT NULL DEFAULT FALSE,
    created            BIGINT NOT NULL
);
CREATE UNIQUE INDEX account_users_one_owner ON account_users (account_id) WHERE is_owner;

-- A sequence never hands a number out twice: a deleted API user's id is never reused. The id
-- is an int32 on the wire.
CREATE TABLE api_users (
    id                INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id        BIGINT NOT NULL REFERENCES accounts (id),
    login             TEXT NOT NULL UNIQUE REFERENCES logins (login),
    description       TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('Enabled', 'Disabled')),
    tiered_rate_limit BOOLEAN NOT NULL,
    locked            BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash     TEXT NOT NULL,
    created           BIGINT NOT NULL,
    last_used         BIGINT
);
CREATE INDEX api_users_by_account ON api_users (account_id, id);

-- Every change to an API user or account user: who, when, through which channel, from where,
-- and which fields changed to what (never a password or a hash). Kept when the user is
-- deleted, so `target` is the login as text, not a reference.
CREATE TABLE audit_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    protocol   TEXT NOT NULL CHECK (protocol IN ('REST', 'SOAP', 'CLI', 'Web')),
    address    TEXT,
    changes    TEXT NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, id);

-- Sign-in sessions of the Access page. The cookie carries a random token; only its SHA-256 is
-- kept here, so a copy of the database opens no session.
CREATE TABLE web_sessions (
    token_hash      BYTEA PRIMARY KEY,
    account_user_id BIGINT NOT NULL REFERENCES account_users (id) ON DELETE CASCADE,
    csrf_token      TEXT NOT NULL,
    -- A message for the next page (Post/Redirect/Get), taken when that page is shown.
    flash           TEXT,
    created         BIGINT NOT NULL,
    expires         BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires);

-- Password checks per login, for a lockout over a sliding window that holds under concurrency.
-- A row is a slot taken by a check still in progress (`failed` false) or a wrong password
-- counted. `fingerprint` is 16 bits of a hash of the candidate keyed by the login's stored
-- hash: enough to count the same wrong password sent again once, far too few to recover it.
CREATE TABLE login_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login       TEXT NOT NULL REFERENCES logins (login) ON DELETE CASCADE,
    at          BIGINT NOT NULL,
    fingerprint INTEGER NOT NULL CHECK (fingerprint BETWEEN 0 AND 65535),
    failed      BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_by_login ON login_attempts (login, at);
