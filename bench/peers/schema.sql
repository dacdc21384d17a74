-- The peers' database: the account and the API user the dualgate bench uses, with the same
-- bcrypt cost-12 hash (copied from dualgate's database by bench/driver.py).
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    main_email TEXT NOT NULL,
    locale     TEXT NOT NULL,
    time_zone  TEXT NOT NULL
);
CREATE TABLE api_users (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    status        TEXT NOT NULL CHECK (status IN ('Enabled', 'Disabled')),
    password_hash TEXT NOT NULL
);
