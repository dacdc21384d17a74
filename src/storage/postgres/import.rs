//! The PostgreSQL side of `migrate-data`: one transaction that migrates the database, holds
//! every table of dualgate's against any other writer, copies the rows in (`COPY … FROM STDIN`,
//! binary) and moves the identity sequences past the copied ids.

use super::{connection_config, migrations, storage_error};
use crate::domain::{Error, Result};
use crate::storage::migrate_data::{Cell, Count, Failure, Kind, Table};
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::{ToSql, Type};
use ::postgres::{NoTls, Transaction};

pub(in crate::storage) struct Target<'c> {
    tx: Transaction<'c>,
}

/// Connects to `url`, migrates the database and locks dualgate's tables in one transaction,
/// runs `work` in it, and commits only when `work` succeeds. The locks make a server starting
/// meanwhile wait for the commit, then find the copied data instead of creating a first
/// account of its own.
pub(in crate::storage) fn into_empty_database<T>(
    url: &str,
    work: impl FnOnce(&mut Target) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let target = |error: ::postgres::Error| Failure::Target(storage_error(error));
    let config = connection_config(url).map_err(Failure::Target)?;
    let mut client = config.connect(NoTls).map_err(target)?;
    let mut tx = client.transaction().map_err(target)?;
    migrations::apply_in(&mut tx).map_err(target)?;
    let mut copy = Target { tx };
    copy.lock_dualgates_tables().map_err(Failure::Target)?;
    let value = work(&mut copy)?;
    copy.tx.commit().map_err(target)?;
    Ok(value)
}

impl Target<'_> {
    fn lock_dualgates_tables(&mut self) -> Result<()> {
        let names: Vec<&str> = crate::storage::migrate_data::TABLES
            .iter()
            .map(|table| table.name)
            .collect();
        self.tx
            .batch_execute(&format!(
                "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE",
                names.join(", ")
            ))
            .map_err(storage_error)
    }

    /// How many rows each of `tables` holds.
    pub(in crate::storage) fn row_counts(&mut self, tables: &[Table]) -> Result<Vec<Count>> {
        tables
            .iter()
            .map(|table| {
                let rows: i64 = self
                    .tx
                    .query_one(&format!("SELECT count(*) FROM {}", table.name), &[])
                    .map_err(storage_error)?
                    .get(0);
                Ok(Count {
                    label: table.label,
                    rows: u64::try_from(rows).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Starts copying rows into `table`.
    pub(in crate::storage) fn copy_into<'t>(
        &'t mut self,
        table: &'t Table,
    ) -> Result<TableCopy<'t>> {
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let types: Vec<Type> = table
            .columns
            .iter()
            .map(|(_, kind)| pg_type(*kind))
            .collect();
        let sink = self
            .tx
            .copy_in(&format!(
                "COPY {} ({}) FROM STDIN (FORMAT binary)",
                table.name,
                columns.join(", ")
            ))
            .map_err(storage_error)?;
        Ok(TableCopy {
            table,
            writer: BinaryCopyInWriter::new(sink, &types),
        })
    }

    /// Sets `table`'s id sequence so that the next id it hands out follows `highest`.
    pub(in crate::storage) fn move_ids_past(&mut self, table: &Table, highest: i64) -> Result<()> {
        if highest < 1 {
            return Ok(());
        }
        self.tx
            .execute(
                "SELECT setval(pg_get_serial_sequence($1, 'id'), $2)",
                &[&table.name, &highest],
            )
            .map_err(storage_error)
            .map(drop)
    }
}

/// Rows on their way into one table.
pub(in crate::storage) struct TableCopy<'t> {
    table: &'t Table,
    writer: BinaryCopyInWriter<'t>,
}

impl TableCopy<'_> {
    /// Writes one row, its cells in the table's column order.
    pub(in crate::storage) fn write(&mut self, cells: &[Cell]) -> Result<()> {
        let values = self
            .table
            .columns
            .iter()
            .zip(cells)
            .map(|((column, kind), cell)| {
                value(*kind, cell).ok_or_else(|| {
                    Error::Unknown(format!(
                        "{}.{column} holds {}, where {kind:?} belongs",
                        self.table.name,
                        cell.describe()
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(AsRef::as_ref).collect();
        self.writer.write(&refs).map_err(storage_error)
    }

    /// Ends the copy; the number of rows copied.
    pub(in crate::storage) fn finish(self) -> Result<u64> {
        self.writer.finish().map_err(storage_error)
    }
}

fn pg_type(kind: Kind) -> Type {
    match kind {
        Kind::BigInt => Type::INT8,
        Kind::Int => Type::INT4,
        Kind::Bool => Type::BOOL,
        Kind::Text => Type::TEXT,
        Kind::Bytes => Type::BYTEA,
    }
}

/// `cell` as a value of a `kind` column, if it is one: SQLite keeps a boolean as 0 or 1.
fn value(kind: Kind, cell: &Cell) -> Option<Box<dyn ToSql + Sync>> {
    Some(match (kind, cell) {
        (Kind::BigInt, Cell::Null) => Box::new(None::<i64>),
        (Kind::Int, Cell::Null) => Box::new(None::<i32>),
        (Kind::Bool, Cell::Null) => Box::new(None::<bool>),
        (Kind::Text, Cell::Null) => Box::new(None::<String>),
        (Kind::Bytes, Cell::Null) => Box::new(None::<Vec<u8>>),
        (Kind::BigInt, Cell::Integer(number)) => Box::new(*number),
        (Kind::Int, Cell::Integer(number)) => Box::new(i32::try_from(*number).ok()?),
        (Kind::Bool, Cell::Integer(flag @ (0 | 1))) => Box::new(*flag == 1),
        (Kind::Text, Cell::Text(text)) => Box::new(text.clone()),
        (Kind::Bytes, Cell::Bytes(bytes)) => Box::new(bytes.clone()),
        _ => return None,
    })
}
