//! Versioned schema migrations, tracked in SQLite's `user_version`.

use rusqlite::{Connection, TransactionBehavior};

/// Numbered migrations; the n-th entry brings the schema to version n + 1. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_lockout_and_audit.sql"),
    include_str!("migrations/0003_web_sessions.sql"),
    include_str!("migrations/0004_login_attempts.sql"),
    include_str!("migrations/0005_last_sign_in.sql"),
];

/// Applies the migrations this database has not seen yet, in one immediate transaction, so
/// that a CLI command and a server starting together do not both apply them.
pub fn apply(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(current).unwrap_or(usize::MAX))
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(index + 1).unwrap_or(i64::MAX),
        )?;
    }
    tx.commit()
}
