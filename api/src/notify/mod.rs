//! Delivery of the email outbox, and the periodic jobs that fill it.

pub mod mailer;
pub mod reminders;
pub mod templates;
pub mod worker;
