//! Idempotency keys of creating requests: the first request with a key
//! claims it, its outcome is stored, and a retry with the same key and the
//! same request replays that outcome.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::convert::micros;
use crate::db::DbConnection;
use crate::error::{Result, corrupt};
use crate::schema::idempotency_keys;

/// A stored outcome, replayed as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What a request carrying a key may do.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is ours: run the request, then `complete` or `release` it.
    Fresh,
    /// The same request ran already: answer what it answered.
    Replay(StoredResponse),
    /// The key was used for another request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

/// Who sent a key, its value and the request's fingerprint.
#[derive(Debug, Clone, Copy)]
pub struct KeyedRequest<'a> {
    pub scope: &'a str,
    pub key: &'a str,
    pub request_hash: &'a str,
}

type Row = (String, Option<i32>, Option<String>, Option<String>, i64);

/// Claims `request`'s key until `now + lease`, or says why not. A claim
/// whose lease ended (its server died mid-request) is taken over.
///
/// Portable insert-if-absent: the primary key guards the insert, made in a
/// savepoint so that losing a race only rolls that back, and the loser
/// reads the winner's row.
pub fn claim(
    conn: &mut DbConnection,
    request: KeyedRequest<'_>,
    now: DateTime<Utc>,
    lease: TimeDelta,
) -> Result<Claim> {
    let find = |conn: &mut DbConnection| -> Result<Option<Row>> {
        Ok(idempotency_keys::table
            .find((request.scope, request.key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status,
                idempotency_keys::headers,
                idempotency_keys::body,
                idempotency_keys::locked_until,
            ))
            .first(conn)
            .optional()?)
    };
    let existing = match find(conn)? {
        Some(row) => row,
        None => {
            let inserted = conn.transaction(|conn| {
                diesel::insert_into(idempotency_keys::table)
                    .values((
                        idempotency_keys::scope.eq(request.scope),
                        idempotency_keys::idempotency_key.eq(request.key),
                        idempotency_keys::request_hash.eq(request.request_hash),
                        idempotency_keys::locked_until.eq(micros(now + lease)),
                        idempotency_keys::created_at.eq(micros(now)),
                    ))
                    .execute(conn)
            });
            match inserted {
                Ok(_) => return Ok(Claim::Fresh),
                Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                    find(conn)?.ok_or_else(|| corrupt(TABLE, "claimed key vanished"))?
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    let (hash, status, headers, body, locked_until) = existing;
    if hash != request.request_hash {
        return Ok(Claim::Mismatch);
    }
    if let Some(status) = status {
        return Ok(Claim::Replay(stored(status, headers, body)?));
    }
    if locked_until > micros(now) {
        return Ok(Claim::InProgress);
    }
    // Compare-and-set on the old lease: of two retries taking over at once,
    // one wins and the other sees the claim in progress.
    let taken = diesel::update(
        idempotency_keys::table
            .find((request.scope, request.key))
            .filter(idempotency_keys::locked_until.eq(locked_until))
            .filter(idempotency_keys::status.is_null()),
    )
    .set(idempotency_keys::locked_until.eq(micros(now + lease)))
    .execute(conn)?;
    Ok(if taken == 1 {
        Claim::Fresh
    } else {
        Claim::InProgress
    })
}

const TABLE: &str = "idempotency_keys";

fn stored(status: i32, headers: Option<String>, body: Option<String>) -> Result<StoredResponse> {
    let headers: Vec<(String, String)> =
        serde_json::from_str(headers.as_deref().unwrap_or("[]")).map_err(|e| corrupt(TABLE, e))?;
    Ok(StoredResponse {
        status: u16::try_from(status).map_err(|e| corrupt(TABLE, e))?,
        headers,
        body: body.unwrap_or_default(),
    })
}

/// Stores the outcome of the request that claimed the key.
pub fn complete(
    conn: &mut DbConnection,
    request: KeyedRequest<'_>,
    response: &StoredResponse,
) -> Result<()> {
    let headers = serde_json::to_string(&response.headers).map_err(|e| corrupt(TABLE, e))?;
    diesel::update(idempotency_keys::table.find((request.scope, request.key)))
        .set((
            idempotency_keys::status.eq(Some(i32::from(response.status))),
            idempotency_keys::headers.eq(Some(headers)),
            idempotency_keys::body.eq(Some(&response.body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Frees the key of a request that failed in a way worth retrying (a
/// server error, a rate limit): the retry runs it again.
pub fn release(conn: &mut DbConnection, request: KeyedRequest<'_>) -> Result<()> {
    diesel::delete(
        idempotency_keys::table
            .find((request.scope, request.key))
            .filter(idempotency_keys::status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// Forgets keys created before `cutoff`; returns how many.
pub fn forget_before(conn: &mut DbConnection, cutoff: DateTime<Utc>) -> Result<usize> {
    Ok(diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(micros(cutoff))),
    )
    .execute(conn)?)
}
