//! The PMT Business domain: what buyers, suppliers and the cluster's experts
//! manipulate, and the rules that say who may do what. No I/O lives here, so
//! every rule is testable without a database or a server.

pub mod account;
pub mod account_events;
pub mod actions;
pub mod activity;
pub mod admin_events;
pub mod audit;
pub mod auth;
pub mod booklet;
pub mod capability_map;
pub mod certificate_events;
pub mod certification;
pub mod codes;
pub mod documents;
pub mod email_limits;
pub mod error;
pub mod events;
pub mod ids;
pub mod notification;
pub mod organisation;
pub mod outbound;
pub mod password;
pub mod profile;
pub mod profile_events;
pub mod registration;
pub mod session_events;
pub mod sourcing;
pub mod taxonomy;
pub mod validation;
pub mod webhooks;

pub use error::DomainError;
pub use validation::{FieldError, Validated, ValidationErrors};
