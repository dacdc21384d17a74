//! Versioned schema migrations, tracked in `schema_migrations`. They run in one transaction
//! under a transaction-scoped advisory lock: of several instances starting at once, one
//! migrates and the others wait for its commit, then find nothing left to do.

use ::postgres::{Client, Transaction};

/// Numbered migrations; the n-th entry brings the schema to version n + 1. Append only.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_last_sign_in.sql"),
    include_str!("migrations/0003_meter.sql"),
];

/// The advisory lock's key: "dualgate" in ASCII, read as a number.
const MIGRATION_LOCK: i64 = 0x6475_616c_6761_7465;

/// Applies the migrations this database has not seen yet, and commits.
pub fn apply(client: &mut Client) -> Result<(), ::postgres::Error> {
    let mut tx = client.transaction()?;
    apply_in(&mut tx)?;
    tx.commit()
}

/// Applies the migrations this database has not seen yet within `tx`, whose commit ends the
/// lock: a copy into a new database (`migrate-data`) migrates in the same transaction as it
/// copies, so a refusal or a failure leaves the database as it was.
pub fn apply_in(tx: &mut Transaction) -> Result<(), ::postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    // Without it, every start on a migrated database would log PostgreSQL's notice that the
    // table below exists, on a command's standard output too.
    tx.batch_execute("SET LOCAL client_min_messages TO warning")?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let current: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )?
        .get(0);
    for (version, sql) in (1..)
        .zip(MIGRATIONS)
        .skip(usize::try_from(current).unwrap_or(0))
    {
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&version],
        )?;
    }
    Ok(())
}
