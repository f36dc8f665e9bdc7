//! Conversions between stored scalars and domain types.

use chrono::{DateTime, Utc};

use crate::error::{PersistenceError, corrupt};

pub fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

pub fn from_micros(table: &'static str, value: i64) -> Result<DateTime<Utc>, PersistenceError> {
    DateTime::from_timestamp_micros(value)
        .ok_or_else(|| corrupt(table, format!("timestamp {value} out of range")))
}

pub fn opt_from_micros(
    table: &'static str,
    value: Option<i64>,
) -> Result<Option<DateTime<Utc>>, PersistenceError> {
    value.map(|v| from_micros(table, v)).transpose()
}

/// Parses a stored typed id (`UserId`, `OrganisationId`...).
pub fn id<T: std::str::FromStr>(table: &'static str, value: &str) -> Result<T, PersistenceError> {
    value
        .parse()
        .map_err(|_| corrupt(table, format!("bad id {value:?}")))
}

/// Parses a stored enum through its `parse` function.
pub fn enum_value<T>(
    table: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, PersistenceError> {
    parse(value).ok_or_else(|| corrupt(table, format!("unknown value {value:?}")))
}
