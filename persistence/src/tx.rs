//! A write transaction and the side effects it owes the rest of the system.
//!
//! Writes to what the capability index holds (an organisation's name,
//! address and membership, a supplier profile, a certificate) take a `Tx`,
//! never a bare connection, and each of them calls
//! [`Tx::supplier_changed`] itself: the index event is keyed on the write,
//! so no use case can change an indexed field and forget the index. The
//! caller that opened the transaction reads [`Tx::index_touched`] after the
//! commit to wake the index worker; likewise [`Tx::removal_due`] for the
//! stored objects a transaction queued for removal now.

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
    /// Whether this transaction queued a stored object's removal due now.
    removal_due: bool,
}

impl<'c> Tx<'c> {
    /// Wraps a connection inside an open transaction; `now` stamps the
    /// events it writes.
    pub fn new(conn: &'c mut DbConnection, now: DateTime<Utc>) -> Self {
        Self {
            conn,
            now,
            indexed: Vec::new(),
            removal_due: false,
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

    /// Ends the transaction's writes: when it changed what the index holds,
    /// counts it in the suppliers' data version ([`index_events::version`]).
    /// Last, so that the version's row is locked only until the commit and
    /// after any other lock: concurrent writers queue there, never deadlock.
    pub fn finish(&mut self) -> Result<()> {
        if self.index_touched() {
            index_events::bump_version(self.conn)?;
        }
        Ok(())
    }

    /// Whether this transaction wrote an index event: once it commits, the
    /// index worker has something to apply.
    pub fn index_touched(&self) -> bool {
        !self.indexed.is_empty()
    }

    /// Records that a stored object's removal is due once this transaction
    /// commits (the removal queue calls it).
    pub(crate) fn removal_queued_now(&mut self) {
        self.removal_due = true;
    }

    /// Whether, once this transaction commits, the files worker has an
    /// object to remove now.
    pub fn removal_due(&self) -> bool {
        self.removal_due
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

#[cfg(test)]
mod tests {
    use domain::organisation::{
        Address, LegalIdentity, Membership, Organisation, OrganisationKind, Siret,
    };

    use super::*;
    use crate::db::{Database, DatabaseUrl};
    use crate::{accounts, index_events};

    #[test]
    fn indexed_writes_record_one_event_per_supplier_and_transaction() {
        let path = std::env::temp_dir().join(format!("pmt-tx-{}.db", uuid::Uuid::new_v4()));
        let db = Database::connect(&DatabaseUrl::Sqlite(path.clone()), 1).expect("open");
        db.migrate().expect("migrate");
        let now = Utc::now();
        let mut org = Organisation {
            id: OrganisationId::new(),
            kind: OrganisationKind::Supplier,
            legal_name: "Microtech".to_owned(),
            identity: LegalIdentity::French {
                siret: Siret::parse("73282932000074").expect("siret"),
            },
            address: Address {
                street: "1 rue X".to_owned(),
                postal_code: "25000".to_owned(),
                city: "Besançon".to_owned(),
            },
            region: "Bourgogne-Franche-Comté".to_owned(),
            website: None,
            membership: Membership::NotMember,
            created_at: now,
            updated_at: now,
        };
        let touched = db
            .transaction(|conn| -> Result<_> {
                accounts::insert_organisation(conn, &org)?;
                let mut tx = Tx::new(conn, now);
                let before = tx.index_touched();
                accounts::set_membership(&mut tx, org.id, Membership::Member, now)?;
                org.legal_name = "Microtech SAS".to_owned();
                accounts::update_organisation(&mut tx, &org)?;
                tx.finish()?;
                Ok((before, tx.index_touched()))
            })
            .expect("transaction");
        assert_eq!(touched, (false, true));
        assert_eq!(db.read(index_events::lag).expect("lag"), 1);
        assert_eq!(
            db.read(index_events::version).expect("version"),
            1,
            "one transaction, counted once however many writes"
        );
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
