-- Wrong passwords are counted per login within a window; reaching the threshold locks the
-- principal (API users already have `locked`; account users get theirs here).
ALTER TABLE logins ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE logins ADD COLUMN first_failed_at INTEGER;
ALTER TABLE account_users ADD COLUMN locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1));

-- Every change to an API user or account user: who, when, through which channel, from where,
-- and which fields changed to what (never a password or a hash). Kept when the user is
-- deleted, so `target` is the login as text, not a reference.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    protocol   TEXT NOT NULL CHECK (protocol IN ('REST', 'SOAP', 'CLI', 'Web')),
    address    TEXT,
    changes    TEXT NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, id);
