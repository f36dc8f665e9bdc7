//! Keyset pagination shared by every list: a page size, and an opaque
//! cursor made of the last item's sort time and id.

use chrono::{DateTime, Utc};
use domain::ValidationErrors;

use crate::error::{ApiError, ApiResult, ErrorCode};

pub fn page_limit(limit: Option<i64>) -> ApiResult<i64> {
    match limit {
        None => Ok(20),
        Some(n @ 1..=100) => Ok(n),
        Some(_) => {
            Err(
                ValidationErrors::single("limit", "out_of_range", "limit is between 1 and 100")
                    .into(),
            )
        }
    }
}

/// Cursors are `<unix micros>_<id>` of the last item of the previous page.
pub fn parse_cursor(raw: Option<String>) -> ApiResult<Option<persistence::Cursor>> {
    raw.map(|raw| {
        raw.split_once('_')
            .and_then(|(at, id)| {
                Some((
                    DateTime::from_timestamp_micros(at.parse().ok()?)?,
                    id.to_owned(),
                ))
            })
            .ok_or_else(|| {
                ApiError::coded(
                    ErrorCode::InvalidQuery,
                    "cursor is not one this API returned",
                )
            })
    })
    .transpose()
}

pub fn cursor(at: DateTime<Utc>, id: impl std::fmt::Display) -> String {
    format!("{}_{id}", at.timestamp_micros())
}
