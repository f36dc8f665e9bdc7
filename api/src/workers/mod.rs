//! The background workers, each a loop spawned by `startup::serve` on
//! every server instance. They share nothing but the database: several
//! instances may run them against one database.
//!
//! - `email`: delivers the outbox (claims a message, renders it, sends it
//!   over SMTP or to files, records the outcome; retries with backoff).
//! - `index`: applies the index events to the capability index.
//! - `reminders`: queues certificate-expiry and deadline reminder emails,
//!   once each (a marker is written with the emails).
//! - `deadlines`: closes open sourcing requests past their response
//!   deadline.
//! - `webhooks`: delivers the webhook outbox (claims a delivery, signs and
//!   POSTs the event, records the outcome; retries with backoff, disables
//!   an endpoint failing for 3 days).
//! - `files`: removes documents never attached within 24 hours, and the
//!   stored objects whose removal a committed transaction queued.
//!
//! Each `run` is instrumented with its own span; a failed pass is logged
//! and retried on the next one, never fatal.

pub mod deadlines;
pub mod email;
pub mod files;
pub mod index;
pub mod reminders;
pub mod webhooks;
