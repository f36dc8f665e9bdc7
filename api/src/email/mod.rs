//! Emails: what each one carries (`mail::Mail`, one variant per kind), where
//! its link points (`links`), how
//! it reads in French and English (`templates`) and how it leaves (`mailer`). They are
//! queued in the outbox by `crate::app::outbox` and delivered by
//! `crate::workers::email`.

pub mod links;
pub mod mail;
pub mod mailer;
pub mod templates;
