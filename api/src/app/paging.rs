//! One list shape for every collection: `?limit=&cursor=` answers a page of
//! at most `limit` items and the opaque cursor of the next one.
//!
//! A cursor is the keyset of the last item served (its sort key and id),
//! with the name of the list and order it was read in, as base64url. The
//! name makes a cursor of one list or sort useless on another (refused, not
//! silently skipping items); the encoding keeps clients from building
//! cursors, or reading an email out of one. Whatever does not decode to a
//! keyset of that list is 400 `invalid_query` naming `cursor`, never handed
//! to a query.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::ValidationErrors;

use crate::error::{ApiError, ApiResult};

/// Items per page when `limit` is absent, and the most one page holds: the
/// spec's own numbers.
pub use openapi::paging::{DEFAULT_LIMIT, MAX_LIMIT};

/// The longest cursor any list issues is well under this (an email of 254
/// bytes and a UUID, encoded); longer input is refused before decoding.
const MAX_CURSOR_LEN: usize = 512;

pub fn page_limit(limit: Option<i64>) -> ApiResult<i64> {
    Ok(checked_limit(limit)?)
}

/// [`page_limit`] for a use case that reports it with its other fields.
pub fn checked_limit(limit: Option<i64>) -> Result<i64, ValidationErrors> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n @ 1..=MAX_LIMIT) => Ok(n),
        Some(_) => Err(ValidationErrors::single(
            "limit",
            "out_of_range",
            format!("limit is between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// The first `limit` of `rows` (read with one more than asked, to learn
/// whether another page follows) and the cursor of the next page.
pub fn page<T>(
    mut rows: Vec<T>,
    limit: i64,
    cursor_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(0);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(cursor_of);
    (rows, next)
}

fn encode(list: &str, key: &str, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}\n{id}\n{key}"))
}

/// 400 `invalid_query` naming `cursor`: not a cursor this list issued.
pub fn invalid_cursor() -> ApiError {
    invalid()
}

fn invalid() -> ApiError {
    ApiError::InvalidParameter {
        name: "cursor",
        code: "invalid_cursor",
        detail: "cursor is not the next_cursor of a page of this list and order".to_owned(),
    }
}

/// The key and id of a cursor of `list`, the id a UUID in canonical form.
fn decode(raw: &str, list: &str) -> ApiResult<(String, String)> {
    if raw.len() > MAX_CURSOR_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '\n');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if name != list {
        return Err(invalid());
    }
    let id = uuid::Uuid::try_parse(id).map_err(|_| invalid())?;
    // A NUL byte cannot be stored in PostgreSQL text: no key holds one.
    if key.contains(char::is_control) {
        return Err(invalid());
    }
    Ok((key.to_owned(), id.hyphenated().to_string()))
}

/// A cursor whose key is a time (most lists: creation, update, deadline).
pub fn time_cursor(list: &str, at: DateTime<Utc>, id: impl std::fmt::Display) -> String {
    encode(list, &at.timestamp_micros().to_string(), &id.to_string())
}

pub fn parse_time_cursor(
    raw: Option<String>,
    list: &str,
) -> ApiResult<Option<persistence::Cursor>> {
    raw.map(|raw| {
        let (key, id) = decode(&raw, list)?;
        if !key.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return Err(invalid());
        }
        let at = key
            .parse()
            .ok()
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(invalid)?;
        Ok((at, id))
    })
    .transpose()
}

/// A cursor whose key is text (the admin users' list, by email).
pub fn text_cursor(list: &str, key: &str, id: impl std::fmt::Display) -> String {
    encode(list, key, &id.to_string())
}

pub fn parse_text_cursor(raw: Option<String>, list: &str) -> ApiResult<Option<(String, String)>> {
    raw.map(|raw| decode(&raw, list)).transpose()
}

/// A cursor whose key is a score (a request's matches, best first).
pub fn score_cursor(list: &str, score: f64, id: impl std::fmt::Display) -> String {
    // `{:?}` of an f64 parses back to the same bits.
    encode(list, &format!("{score:?}"), &id.to_string())
}

pub fn parse_score_cursor(raw: Option<String>, list: &str) -> ApiResult<Option<(f64, String)>> {
    raw.map(|raw| {
        let (key, id) = decode(&raw, list)?;
        let score: f64 = key.parse().map_err(|_| invalid())?;
        if !score.is_finite() {
            return Err(invalid());
        }
        Ok((score, id))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cursors_the_api_returns_parse() {
        let id = uuid::Uuid::new_v4();
        let at = DateTime::from_timestamp_micros(1_700_000_000_000_000).expect("time");
        let issued = time_cursor("requests:-created", at, id);
        assert_eq!(
            parse_time_cursor(Some(issued.clone()), "requests:-created").expect("valid"),
            Some((at, id.to_string()))
        );
        assert!(
            parse_time_cursor(Some(issued), "requests:deadline").is_err(),
            "a cursor of another order"
        );
        let zero = "00000000-0000-0000-0000-000000000000";
        for forged in [
            String::new(),
            "1_x".to_owned(),
            format!("1_{id}"),
            "!!!".to_owned(),
            URL_SAFE_NO_PAD.encode(format!("requests:-created\n{zero}\nabc")),
            URL_SAFE_NO_PAD.encode(format!("requests:-created\n{zero}\n+1")),
            URL_SAFE_NO_PAD.encode("requests:-created\nx\n1"),
            URL_SAFE_NO_PAD.encode(format!("requests:-created\n{zero}\n1\0")),
            URL_SAFE_NO_PAD.encode(format!("requests:-created\n{zero}\n99999999999999999999")),
            URL_SAFE_NO_PAD.encode(format!("requests:-created\n{zero}")),
            "A".repeat(MAX_CURSOR_LEN + 1),
        ] {
            assert!(
                parse_time_cursor(Some(forged.clone()), "requests:-created").is_err(),
                "{forged:?}"
            );
        }
    }

    #[test]
    fn text_and_score_cursors_round_trip_and_hide_their_key() {
        let id = uuid::Uuid::new_v4();
        let email = "jeanne.dupont@example.fr";
        let cursor = text_cursor("users", email, id);
        assert!(!cursor.contains("example"), "the email is not in clear");
        assert_eq!(
            parse_text_cursor(Some(cursor), "users").expect("valid"),
            Some((email.to_owned(), id.to_string()))
        );
        let score = 0.1 + 0.2;
        let cursor = score_cursor("matches", score, id);
        assert_eq!(
            parse_score_cursor(Some(cursor), "matches").expect("valid"),
            Some((score, id.to_string()))
        );
        let nan = URL_SAFE_NO_PAD.encode(format!("matches\n{id}\nNaN"));
        assert!(parse_score_cursor(Some(nan), "matches").is_err());
    }

    #[test]
    fn a_page_holds_limit_items_and_says_whether_more_follow() {
        let (items, next) = page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((items, next), (vec![1, 2], Some("2".to_owned())));
        let (items, next) = page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((items, next), (vec![1, 2], None));
    }
}
