//! End-to-end specification of the PMT Business API, over HTTP, on both
//! databases. One test binary: built once, run in parallel.

mod accounts;
mod admin;
mod directory;
mod http_conventions;
mod import;
mod notifications;
mod openapi_spec;
mod schema_conformance;
mod sessions;
mod sourcing;
