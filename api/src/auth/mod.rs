//! Authentication: argon2id passwords, JWT access tokens, opaque refresh
//! and emailed tokens, and the extractor that turns a bearer token into an
//! `Actor`.

pub mod cookie;
pub mod extractor;
pub mod jwt;
pub mod password;
pub mod standing;
pub mod throttle;
pub mod tokens;

pub use extractor::Authenticated;
