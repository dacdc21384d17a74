//! `dualgate migrate-data`: moving from the SQLite file to PostgreSQL without losing anything.
//! Every table of the SQLite schema is copied, ids, password hashes, lock state, failure counts,
//! audit trail and Access page sessions included, into an empty PostgreSQL database, which is
//! migrated and filled in one transaction: a refusal or a failure leaves it as it was. Each
//! identity sequence is moved past the highest id SQLite ever handed out (a deleted API user's
//! id included), so new rows take fresh ids. The SQLite side reads one snapshot, so a server
//! still writing to the file cannot tear the copy. SQL stays in the backends:
//! `sqlite/export.rs` reads, `postgres/import.rs` writes.

use super::postgres::import;
use super::sqlite::export;
use crate::config::DatabaseUrl;
use crate::domain::Error;
use std::fmt;
use std::path::Path;

/// How a column is stored in PostgreSQL. SQLite holds each of them as an integer, text or a
/// blob (a boolean as 0 or 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    BigInt,
    Int,
    Bool,
    Text,
    Bytes,
}

pub(super) struct Table {
    pub name: &'static str,
    /// What the command prints for its rows.
    pub label: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    /// Whether PostgreSQL generates the `id`: its sequence is moved past the copied ids.
    pub generated_id: bool,
}

use Kind::{BigInt, Bool, Bytes, Int, Text};

/// Every table of the SQLite schema, each after the tables it references (a unit test below
/// holds this list to both schemas).
pub(super) const TABLES: &[Table] = &[
    Table {
        name: "logins",
        label: "logins",
        columns: &[("login", Text)],
        generated_id: false,
    },
    Table {
        name: "accounts",
        label: "accounts",
        columns: &[
            ("id", BigInt),
            ("name", Text),
            ("locale", Text),
            ("time_zone", Text),
            ("created", BigInt),
        ],
        generated_id: true,
    },
    Table {
        name: "account_users",
        label: "account users",
        columns: &[
            ("id", BigInt),
            ("account_id", BigInt),
            ("login", Text),
            ("password_hash", Text),
            ("is_owner", Bool),
            ("can_manage_account", Bool),
            ("locked", Bool),
            ("created", BigInt),
            ("last_sign_in", BigInt),
        ],
        generated_id: true,
    },
    Table {
        name: "api_users",
        label: "API users",
        columns: &[
            ("id", Int),
            ("account_id", BigInt),
            ("login", Text),
            ("description", Text),
            ("status", Text),
            ("tiered_rate_limit", Bool),
            ("locked", Bool),
            ("password_hash", Text),
            ("created", BigInt),
            ("last_used", BigInt),
        ],
        generated_id: true,
    },
    Table {
        name: "audit_events",
        label: "audit events",
        columns: &[
            ("id", BigInt),
            ("account_id", BigInt),
            ("at", BigInt),
            ("actor", Text),
            ("action", Text),
            ("target", Text),
            ("protocol", Text),
            ("address", Text),
            ("changes", Text),
        ],
        generated_id: true,
    },
    Table {
        name: "web_sessions",
        label: "Access page sessions",
        columns: &[
            ("token_hash", Bytes),
            ("account_user_id", BigInt),
            ("csrf_token", Text),
            ("flash", Text),
            ("created", BigInt),
            ("expires", BigInt),
        ],
        generated_id: false,
    },
    Table {
        name: "login_attempts",
        label: "password checks in the lockout window",
        columns: &[
            ("id", BigInt),
            ("login", Text),
            ("at", BigInt),
            ("fingerprint", Int),
            ("failed", Bool),
        ],
        generated_id: true,
    },
];

/// A value as SQLite holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cell {
    Null,
    Integer(i64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Cell {
    /// What the cell holds, for an error message: the value itself only when it is a number.
    pub(super) fn describe(&self) -> String {
        match self {
            Cell::Null => "NULL".to_owned(),
            Cell::Integer(number) => format!("the integer {number}"),
            Cell::Text(_) => "text".to_owned(),
            Cell::Bytes(_) => "bytes".to_owned(),
        }
    }
}

/// Which side a copy failed on, or why it did not start.
#[derive(Debug)]
pub(super) enum Failure {
    Source(Error),
    Target(Error),
    NotEmpty(Vec<Count>),
}

/// A table's label and its number of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub label: &'static str,
    pub rows: u64,
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label, self.rows)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateDataError {
    #[error("there is no SQLite database at {0} (name it with --db)")]
    NoSource(String),
    #[error("cannot read the SQLite database {path}: {cause}")]
    Source { path: String, cause: String },
    #[error("cannot copy into {url}, so nothing was changed: {cause}")]
    Target { url: String, cause: String },
    #[error(
        "{url} is not empty (it holds {held}); migrate-data copies only into an empty database, so nothing was changed"
    )]
    NotEmpty { url: String, held: String },
}

/// Copies the SQLite database at `sqlite` into the empty PostgreSQL database `to`, and says
/// how many rows of each table it copied. Runs PostgreSQL's synchronous client: call it where
/// blocking is allowed.
pub fn migrate_data(sqlite: &Path, to: &DatabaseUrl) -> Result<Vec<Count>, MigrateDataError> {
    let path = sqlite.display().to_string();
    if !sqlite.is_file() {
        return Err(MigrateDataError::NoSource(path));
    }
    let copied = export::with_snapshot(sqlite, |source| {
        import::into_empty_database(to.expose(), |target| copy_every_table(source, target))
    });
    let url = format!("{to:?}");
    let cause = |error: Error| error.cause().unwrap_or_default().to_owned();
    copied.map_err(|failure| match failure {
        Failure::Source(error) => MigrateDataError::Source {
            path,
            cause: cause(error),
        },
        Failure::Target(error) => MigrateDataError::Target {
            url,
            cause: cause(error),
        },
        Failure::NotEmpty(held) => MigrateDataError::NotEmpty {
            url,
            held: held
                .iter()
                .map(Count::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        },
    })
}

fn copy_every_table(
    source: &export::Snapshot,
    target: &mut import::Target,
) -> Result<Vec<Count>, Failure> {
    let held: Vec<Count> = target
        .row_counts(TABLES)
        .map_err(Failure::Target)?
        .into_iter()
        .filter(|count| count.rows > 0)
        .collect();
    if !held.is_empty() {
        return Err(Failure::NotEmpty(held));
    }
    TABLES
        .iter()
        .map(|table| {
            let mut copy = target.copy_into(table).map_err(Failure::Target)?;
            source.each_row(table, |cells| copy.write(cells).map_err(Failure::Target))?;
            let rows = copy.finish().map_err(Failure::Target)?;
            if table.generated_id {
                let highest = source.highest_id_handed_out(table)?;
                target
                    .move_ids_past(table, highest)
                    .map_err(Failure::Target)?;
            }
            Ok(Count {
                label: table.label,
                rows,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::postgres::{PostgresStore, test_cluster};
    use crate::storage::sqlite::SqliteStore;
    use std::collections::BTreeSet;

    fn copied_columns(kind_name: fn(Kind) -> &'static str) -> BTreeSet<(String, String, String)> {
        TABLES
            .iter()
            .flat_map(|table| {
                table.columns.iter().map(|(column, kind)| {
                    (
                        table.name.to_owned(),
                        (*column).to_owned(),
                        kind_name(*kind).to_owned(),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn every_table_and_column_of_the_sqlite_schema_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("source.db");
        drop(SqliteStore::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut statement = conn
            .prepare(
                "SELECT m.name, c.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS c
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            )
            .unwrap();
        let stored: BTreeSet<(String, String, String)> = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, "any".to_owned())))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(stored, copied_columns(|_| "any"));
    }

    #[test]
    fn every_copied_column_is_in_the_postgres_schema_with_its_kind() {
        let url = test_cluster::fresh_database_url();
        drop(PostgresStore::open(&url).unwrap());
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let names: Vec<&str> = TABLES.iter().map(|table| table.name).collect();
        let stored: BTreeSet<(String, String, String)> = client
            .query(
                "SELECT table_name::text, column_name::text, data_type::text
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = ANY($1)",
                &[&names],
            )
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect();
        let postgres_type = |kind| match kind {
            Kind::BigInt => "bigint",
            Kind::Int => "integer",
            Kind::Bool => "boolean",
            Kind::Text => "text",
            Kind::Bytes => "bytea",
        };
        assert_eq!(stored, copied_columns(postgres_type));
    }
}
