//! The pool's connections, each with the statements prepared on it so far: a statement every
//! call sends (authentication's read) is parsed and planned by PostgreSQL once per connection
//! instead of on every call, and then costs one round trip.
//!
//! **The check before a connection is lent.** Asking the server (r2d2_postgres's empty query)
//! costs a round trip on every checkout, as much as the call's own statement. The sync client
//! cannot tell locally that the server ended a session: it reads its socket only while it
//! waits on a statement, and a read made without waiting finds nothing new. So a connection
//! back in the pool for less than `TRUSTED_WHILE_IDLE_FOR` is lent without a check (HikariCP's
//! "alive bypass window", 500 ms, the same trade): under load that is every checkout. A
//! connection idle for longer is checked with the empty query, one round trip, and a closed
//! one is never lent. A session the server ended within the window shows as a lost connection
//! when the next statement is sent: the store sends the statements of every call once more on
//! another connection then (`PostgresStore::statement`), and starts a transaction whose BEGIN
//! found it lost on another. Once a connection came back lost, every connection returned
//! before it is checked before it is lent again: the server that ended one session has
//! probably ended the others (a restart), and the retry must not meet another.

use ::postgres::types::Type;
use ::postgres::{Client, NoTls, Statement};
use r2d2_postgres::PostgresConnectionManager;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a connection back in the pool is lent without asking the server (see above).
const TRUSTED_WHILE_IDLE_FOR: Duration = Duration::from_millis(500);

/// A client, and the statements prepared on it by their SQL.
pub struct Connection {
    client: Client,
    prepared: HashMap<&'static str, Statement>,
    /// When the pool last got it back.
    returned: Instant,
}

impl Connection {
    /// `sql` prepared on this connection with its parameters' `types`, the first time only.
    pub fn prepared(
        &mut self,
        sql: &'static str,
        types: &[Type],
    ) -> Result<Statement, ::postgres::Error> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare_typed(sql, types)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

impl Deref for Connection {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// `r2d2_postgres`'s manager, its connections wrapped in `Connection`.
pub struct Manager {
    connections: PostgresConnectionManager<NoTls>,
    /// When the pool last got a connection back closed.
    last_lost: Mutex<Option<Instant>>,
}

impl Manager {
    pub fn new(connections: PostgresConnectionManager<NoTls>) -> Manager {
        Manager {
            connections,
            last_lost: Mutex::new(None),
        }
    }

    /// Whether `connection` may be lent without asking the server (see the module's doc).
    fn trusts(&self, connection: &Connection) -> bool {
        let returned = connection.returned;
        let lost_since = self
            .last_lost
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_some_and(|lost| lost >= returned);
        !connection.client.is_closed() && returned.elapsed() < TRUSTED_WHILE_IDLE_FOR && !lost_since
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = ::postgres::Error;

    fn connect(&self) -> Result<Connection, ::postgres::Error> {
        Ok(Connection {
            client: self.connections.connect()?,
            prepared: HashMap::new(),
            returned: Instant::now(),
        })
    }

    /// A connection `trusts` passes without a round trip; any other is asked with an empty
    /// query (a closed client fails it at once, without I/O).
    fn is_valid(&self, connection: &mut Connection) -> Result<(), ::postgres::Error> {
        match self.trusts(connection) {
            true => Ok(()),
            false => connection.client.simple_query("").map(drop),
        }
    }

    /// Called as the pool gets a connection back: notes when, and when it came back closed.
    fn has_broken(&self, connection: &mut Connection) -> bool {
        connection.returned = Instant::now();
        let closed = connection.client.is_closed();
        if closed {
            *self
                .last_lost
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(connection.returned);
        }
        closed
    }
}
