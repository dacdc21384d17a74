-- Every login, of an account user or an API user, is unique across the database: HTTP Basic
-- names the principal by login alone. Both user tables reference this one.
CREATE TABLE logins (
    login TEXT PRIMARY KEY COLLATE NOCASE
) WITHOUT ROWID;

CREATE TABLE accounts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    name      TEXT NOT NULL,
    locale    TEXT NOT NULL DEFAULT 'en-GB',
    time_zone TEXT NOT NULL DEFAULT 'Etc/UTC',
    created   INTEGER NOT NULL
);

CREATE TABLE account_users (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    login              TEXT NOT NULL UNIQUE COLLATE NOCASE REFERENCES logins (login),
    password_hash      TEXT NOT NULL,
    is_owner           INTEGER NOT NULL CHECK (is_owner IN (0, 1)),
    can_manage_account INTEGER NOT NULL CHECK (can_manage_account IN (0, 1)),
    created            INTEGER NOT NULL
);
CREATE UNIQUE INDEX account_users_one_owner ON account_users (account_id) WHERE is_owner = 1;

-- AUTOINCREMENT: a deleted API user's id is never handed out again.
CREATE TABLE api_users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        INTEGER NOT NULL REFERENCES accounts (id),
    login             TEXT NOT NULL UNIQUE COLLATE NOCASE REFERENCES logins (login),
    description       TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('Enabled', 'Disabled')),
    tiered_rate_limit INTEGER NOT NULL CHECK (tiered_rate_limit IN (0, 1)),
    locked            INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    password_hash     TEXT NOT NULL,
    created           INTEGER NOT NULL,
    last_used         INTEGER
);
CREATE INDEX api_users_by_account ON api_users (account_id, id);
