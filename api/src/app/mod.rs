//! Application functions: one per use case. Each parses its input into
//! domain types, asks the domain rules, and runs its reads and writes in one
//! transaction off the async executor. Handlers only call these.

pub mod accounts;
pub mod admin;
pub mod demo;
pub mod notifications;
pub mod sessions;
