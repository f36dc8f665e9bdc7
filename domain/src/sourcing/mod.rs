//! Sourcing requests (RFQs, "demandes de sourcing"): a buyer's need, its
//! qualification by the cluster's experts, the vetted matches invited to
//! answer, their quotes and questions, and the buyer's award.

pub mod access;
pub mod answers;
pub mod events;
pub mod listing;
pub mod matching;
pub mod money;
pub mod request;

pub use access::RequestAccess;
pub use events::RequestEvent;
pub use request::{RequestContent, RequestStatus, SourcingRequest};
