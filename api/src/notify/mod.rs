//! Delivery of the email outbox.

pub mod mailer;
pub mod templates;
pub mod worker;
