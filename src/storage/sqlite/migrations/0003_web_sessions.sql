-- Sign-in sessions of the Access page, in the database so that several gateway instances can
-- share them. The cookie carries a random token; only its SHA-256 is kept here, so a copy of
-- the database opens no session.
CREATE TABLE web_sessions (
    token_hash      BLOB PRIMARY KEY,
    account_user_id INTEGER NOT NULL REFERENCES account_users (id) ON DELETE CASCADE,
    csrf_token      TEXT NOT NULL,
    -- A message for the next page (Post/Redirect/Get), taken when that page is shown.
    flash           TEXT,
    created         INTEGER NOT NULL,
    expires         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires);
