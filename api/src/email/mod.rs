//! Emails: their content (templates) and how they leave (mailer). They are
//! queued in the outbox by `crate::app::outbox` and delivered by
//! `crate::workers::email`.

pub mod mailer;
pub mod templates;
