//! Request middleware that every route gets: limits, idempotency and
//! response headers apply to routes added later without their handlers
//! doing anything.

pub mod client_limit;
pub mod idempotency;
pub mod language;
pub mod protocol;
pub mod query;
pub mod security_headers;
