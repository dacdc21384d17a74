//! The SQLite side of `migrate-data`: the file's rows, read from one snapshot.

use super::{migrations, storage_error, tune};
use crate::domain::Error;
use crate::storage::migrate_data::{Cell, Failure, Table};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Transaction};
use std::path::Path;

/// A read transaction on the SQLite file: every table is read as it was at the first read,
/// whatever a server still running on the file writes meanwhile.
pub(in crate::storage) struct Snapshot<'c> {
    tx: Transaction<'c>,
}

/// Runs `work` on a snapshot of the database at `path` (an existing file), its schema first
/// brought up to date so that its columns are the ones the copy expects.
pub(in crate::storage) fn with_snapshot<T>(
    path: &Path,
    work: impl FnOnce(&Snapshot) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let source = |error: rusqlite::Error| Failure::Source(storage_error(error));
    let mut conn = Connection::open(path).map_err(source)?;
    tune(&mut conn).map_err(source)?;
    migrations::apply(&mut conn).map_err(source)?;
    let snapshot = Snapshot {
        tx: conn.transaction().map_err(source)?,
    };
    work(&snapshot)
}

impl Snapshot<'_> {
    /// Hands every row of `table` to `write`, its cells in the table's column order.
    pub(in crate::storage) fn each_row(
        &self,
        table: &Table,
        mut write: impl FnMut(&[Cell]) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let source = |error: rusqlite::Error| Failure::Source(storage_error(error));
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let mut statement = self
            .tx
            .prepare(&format!(
                "SELECT {} FROM {}",
                columns.join(", "),
                table.name
            ))
            .map_err(source)?;
        let mut rows = statement.query([]).map_err(source)?;
        while let Some(row) = rows.next().map_err(source)? {
            let cells = columns
                .iter()
                .enumerate()
                .map(|(index, column)| {
                    let value = row.get_ref(index).map_err(source)?;
                    cell(value).map_err(|held| {
                        Failure::Source(Error::Unknown(format!(
                            "{}.{column} holds {held}, which no column of dualgate's takes",
                            table.name
                        )))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            write(&cells)?;
        }
        Ok(())
    }

    /// The highest id `table` ever handed out: its highest id now, or, for a table that never
    /// reuses an id (`AUTOINCREMENT`), the highest one of a row since deleted.
    pub(in crate::storage) fn highest_id_handed_out(&self, table: &Table) -> Result<i64, Failure> {
        let source = |error: rusqlite::Error| Failure::Source(storage_error(error));
        let highest: i64 = self
            .tx
            .query_row(
                &format!("SELECT COALESCE(MAX(id), 0) FROM {}", table.name),
                [],
                |row| row.get(0),
            )
            .map_err(source)?;
        let handed_out: Option<i64> = self
            .tx
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                [table.name],
                |row| row.get(0),
            )
            .optional()
            .map_err(source)?;
        Ok(highest.max(handed_out.unwrap_or(0)))
    }
}

/// The cell a value is, or what it is when it is none (a floating-point number, or text that
/// is not UTF-8).
fn cell(value: ValueRef) -> Result<Cell, &'static str> {
    match value {
        ValueRef::Null => Ok(Cell::Null),
        ValueRef::Integer(number) => Ok(Cell::Integer(number)),
        ValueRef::Real(_) => Err("a floating-point number"),
        ValueRef::Text(text) => String::from_utf8(text.to_vec())
            .map(Cell::Text)
            .map_err(|_| "text that is not UTF-8"),
        ValueRef::Blob(bytes) => Ok(Cell::Bytes(bytes.to_vec())),
    }
}
