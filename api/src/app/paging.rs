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

/// Cursors are `<unix micros>_<id>` of the last item of the previous page,
/// the id a UUID. Anything else (a NUL byte, which PostgreSQL text cannot
/// hold, a made-up id, another separator) is 400 `invalid_query`, never
/// handed to a query.
pub fn parse_cursor(raw: Option<String>) -> ApiResult<Option<persistence::Cursor>> {
    raw.map(|raw| {
        raw.split_once('_')
            .and_then(|(at, id)| {
                if !at.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    return None;
                }
                Some((
                    DateTime::from_timestamp_micros(at.parse().ok()?)?,
                    uuid::Uuid::try_parse(id).ok()?.hyphenated().to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cursors_the_api_returns_parse() {
        let id = uuid::Uuid::new_v4();
        let at = DateTime::from_timestamp_micros(1_700_000_000_000_000).expect("time");
        let issued = cursor(at, id);
        assert_eq!(
            parse_cursor(Some(issued)).expect("valid"),
            Some((at, id.to_string()))
        );
        for forged in [
            "1_\0x",
            "1_x",
            "",
            "_",
            "1",
            "abc_00000000-0000-0000-0000-000000000000",
            "+1_00000000-0000-0000-0000-000000000000",
            "1_00000000-0000-0000-0000-000000000000\0",
            "99999999999999999999_00000000-0000-0000-0000-000000000000",
        ] {
            assert!(parse_cursor(Some(forged.to_owned())).is_err(), "{forged:?}");
        }
    }
}
