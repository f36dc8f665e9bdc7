//! A write transaction and the side effects it owes the rest of the system.
//!
//! Writes to what the capability index holds (an organisation's name,
//! address and membership, a supplier profile, a certificate) take a `Tx`,
//! never a bare connection, and each of them calls
//! [`Tx::supplier_changed`] itself: the index event is keyed on the write,
//! so no use case can change an indexed field and forget the index. The
//! caller that opened the transaction reads [`Tx::index_touched`] after the
//! commit to wake the index worker.

use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use domain::ids::OrganisationId;

use crate::db::DbConnection;
use crate::error::Result;
use crate::index_events;

pub struct Tx<'c> {
    conn: &'c mut DbConnection,
    now: DateTime<Utc>,
    /// Suppliers whose index event this transaction wrote, each once.
    indexed: Vec<OrganisationId>,
}

impl<'c> Tx<'c> {
    /// Wraps a connection inside an open transaction; `now` stamps the
    /// events it writes.
    pub fn new(conn: &'c mut DbConnection, now: DateTime<Utc>) -> Self {
        Self {
            conn,
            now,
            indexed: Vec::new(),
        }
    }

    /// Records that something the index holds about `organisation` changed:
    /// writes its index event in this transaction (once, however many rows
    /// the transaction changes). The persistence functions that write
    /// indexed columns call it; call it directly only for a change they
    /// cannot see.
    pub fn supplier_changed(&mut self, organisation: OrganisationId) -> Result<()> {
        if !self.indexed.contains(&organisation) {
            index_events::enqueue(self.conn, organisation, self.now)?;
            self.indexed.push(organisation);
        }
        Ok(())
    }

    /// Whether this transaction wrote an index event: once it commits, the
    /// index worker has something to apply.
    pub fn index_touched(&self) -> bool {
        !self.indexed.is_empty()
    }
}

impl Deref for Tx<'_> {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        self.conn
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut DbConnection {
        self.conn
    }
}
