//! Application functions: one per use case. Each parses its input into
//! domain types, asks the domain rules, and runs its reads and writes in one
//! transaction off the async executor. Handlers only call these.

pub mod accounts;
pub mod admin;
pub mod attachments;
pub mod booklet;
pub mod catalogue;
pub mod demo;
pub mod directory;
pub mod events;
pub mod files;
pub mod health;
pub mod import;
pub mod inbox;
pub mod indexing;
pub mod outbox;
pub mod paging;
pub mod profiles;
pub mod progress;
pub mod publications;
pub mod publisher;
pub mod sessions;
pub mod sourcing;
pub mod suggestions;
pub mod suppliers;
pub mod views;
pub mod webhooks;
