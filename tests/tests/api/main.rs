//! End-to-end specification of the PMT Business API, over HTTP, on both
//! databases. One test binary: built once, run in parallel.

mod abuse;
mod accounts;
mod admin;
mod allowed_actions;
mod business_rules;
mod buyer_disclosure;
mod certificate_trust;
mod demo;
mod directory;
mod documents;
mod email_abuse;
mod email_links;
mod events;
mod faults;
mod frontend_errors;
mod http_conventions;
mod idempotency;
mod import;
mod index_freshness;
mod lists;
mod notifications;
mod openapi_spec;
mod operator;
mod permissions;
mod protocol;
mod recoding;
mod review_integrity;
mod revocation;
mod schema_conformance;
mod sessions;
mod sourcing;
mod suggestions;
mod suspension;
mod verification;
mod webhooks;
