//! The command line: the commands and their own arguments.

use super::{DatabaseUrl, DatabaseUrlParser, Settings, StoreSettings};
use crate::domain::AccountName;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// An account name as given on the command line, refused by the core's own rule before
/// anything is read from standard input.
pub(super) fn account_name(raw: &str) -> Result<String, String> {
    AccountName::parse(raw)
        .map(|name| name.as_str().to_owned())
        .map_err(|error| error.to_string())
}

#[derive(Debug, Parser)]
#[command(
    name = "dualgate",
    version,
    about = "API users over REST and SOAP, stored in SQLite or PostgreSQL"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway.
    Serve(Box<Settings>),
    /// Manage account users (the people who sign in to an account).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage accounts.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Print an account's audit trail, newest first, one tab-separated event per line.
    Audit {
        /// The account (default: the first account).
        #[arg(long)]
        account: Option<i64>,
        /// How many events (1 to 1000, default 1000).
        #[arg(long)]
        select: Option<String>,
        /// How many of the newest events to skip.
        #[arg(long)]
        skip: Option<String>,
        #[command(flatten)]
        store: StoreSettings,
    },
    /// Copy everything in the SQLite file (users with their password hashes and ids, lock
    /// state, audit trail, Access page sessions) into an empty PostgreSQL database, in one
    /// transaction; a database that holds data is refused and left as it was.
    MigrateData {
        /// The SQLite database file to copy.
        #[arg(long, env = "DUALGATE_DB", default_value = "dualgate.db")]
        db: PathBuf,
        /// The PostgreSQL database to copy into, `postgres://user:password@host:port/database`;
        /// it must exist and hold no data of dualgate's.
        #[arg(long, value_parser = DatabaseUrlParser)]
        to: DatabaseUrl,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account user; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// The account to add to (default: the first account).
        #[arg(long)]
        account: Option<i64>,
        /// Give the "Can manage account" permission.
        #[arg(long)]
        can_manage_account: bool,
        #[command(flatten)]
        store: StoreSettings,
    },
    /// List an account's users, the owner first: one tab-separated line each (email, role,
    /// "Can manage account", locked, last sign-in).
    List {
        /// The account (default: the first account).
        #[arg(long)]
        account: Option<i64>,
        #[command(flatten)]
        store: StoreSettings,
    },
    /// Change an account user: give or take "Can manage account", or set the password (read
    /// from standard input).
    Set {
        #[arg(long)]
        email: String,
        /// `true` or `false`; the owner always keeps it.
        #[arg(long)]
        can_manage_account: Option<bool>,
        /// Set the password, read from standard input.
        #[arg(long)]
        password: bool,
        #[command(flatten)]
        store: StoreSettings,
    },
    /// Clear an account user's lockout (after too many wrong passwords).
    Unlock {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        store: StoreSettings,
    },
    /// Remove an account user (never the owner); their sessions end at once.
    Remove {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        store: StoreSettings,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account and its owner; the owner's password is read from standard input.
    Create {
        #[arg(long, value_parser = account_name)]
        name: String,
        #[arg(long)]
        owner_email: String,
        #[command(flatten)]
        store: StoreSettings,
    },
}
