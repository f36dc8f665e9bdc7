//! Storage of PMT Business on SQLite or PostgreSQL with one diesel code base.
//!
//! Functions take `&mut DbConnection` so that the caller decides the
//! transaction; they return domain types, never rows. Writes of what the
//! capability index holds take a [`Tx`] instead and record the supplier's
//! index event themselves.

pub mod accounts;
pub mod activity;
pub mod audit;
pub mod backup;
pub mod catalogue;
pub mod certifications;
mod convert;
pub mod db;
mod error;
pub mod events;
pub mod files;
pub mod idempotency;
pub mod inbox;
pub mod index_events;
pub mod notifications;
pub mod profiles;
pub mod publications;
pub mod reminders;
mod schema;
pub mod sourcing;
pub mod tokens;
mod tx;
pub mod webhooks;

pub use db::{Backend, Database, DatabaseUrl, DbConnection};
pub use error::{PersistenceError, Result};
pub use tx::Tx;

/// A keyset cursor: the last item's sort time and id.
pub type Cursor = (chrono::DateTime<chrono::Utc>, String);
