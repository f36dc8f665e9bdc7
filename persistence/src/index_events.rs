//! The index outbox: "supplier X changed" events written in the same
//! transaction as the change, applied to the capability index in order by a
//! worker. Applying an event re-reads the supplier's current state, so
//! applying one twice is harmless.
//!
//! Events are written only through [`crate::Tx::supplier_changed`], which
//! the writes of indexed columns call themselves.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ids::OrganisationId;

use crate::convert::{id, micros};
use crate::db::DbConnection;
use crate::error::Result;
use crate::schema::{data_versions, index_events};

#[derive(Debug, Clone)]
pub struct IndexEvent {
    pub seq: i64,
    pub organisation_id: OrganisationId,
    pub attempts: i32,
}

pub(crate) fn enqueue(
    conn: &mut DbConnection,
    organisation: OrganisationId,
    now: DateTime<Utc>,
) -> Result<()> {
    diesel::insert_into(index_events::table)
        .values((
            index_events::organisation_id.eq(organisation.to_string()),
            index_events::attempts.eq(0),
            index_events::next_attempt_at.eq(micros(now)),
            index_events::created_at.eq(micros(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The oldest events. Stops at the first event still backing off, so that
/// events are applied in order.
pub fn next_batch(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<IndexEvent>> {
    let rows: Vec<(i64, String, i32, i64)> = index_events::table
        .order(index_events::seq.asc())
        .limit(limit)
        .select((
            index_events::seq,
            index_events::organisation_id,
            index_events::attempts,
            index_events::next_attempt_at,
        ))
        .load(conn)?;
    let now = micros(now);
    rows.into_iter()
        .take_while(|(_, _, _, next)| *next <= now)
        .map(|(seq, org, attempts, _)| {
            Ok(IndexEvent {
                seq,
                organisation_id: id("index_events", &org)?,
                attempts,
            })
        })
        .collect()
}

/// Deletes exactly the applied events: an event committed late with a lower
/// `seq` by a concurrent transaction is not swept away unapplied.
pub fn done(conn: &mut DbConnection, applied: &[i64]) -> Result<()> {
    diesel::delete(index_events::table.filter(index_events::seq.eq_any(applied))).execute(conn)?;
    Ok(())
}

pub fn failed(
    conn: &mut DbConnection,
    event: &IndexEvent,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<()> {
    diesel::update(index_events::table.find(event.seq))
        .set((
            index_events::attempts.eq(event.attempts + 1),
            index_events::next_attempt_at.eq(micros(retry_at)),
            index_events::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

const SUPPLIERS_VERSION: &str = "suppliers";

/// Counts a transaction that changes what the index holds of suppliers
/// (once per transaction, by [`crate::Tx::supplier_changed`]).
pub(crate) fn bump_version(conn: &mut DbConnection) -> Result<()> {
    diesel::update(data_versions::table.find(SUPPLIERS_VERSION))
        .set(data_versions::version.eq(data_versions::version + 1))
        .execute(conn)?;
    Ok(())
}

/// The committed count of changes to what the index holds of suppliers
/// (their profiles, certificates, names, addresses, membership), whichever
/// instance made them: something built from that data at one version is
/// current while the version holds.
pub fn version(conn: &mut DbConnection) -> Result<i64> {
    Ok(data_versions::table
        .find(SUPPLIERS_VERSION)
        .select(data_versions::version)
        .first(conn)?)
}

/// Events not applied yet: how far the index lags behind the database.
pub fn lag(conn: &mut DbConnection) -> Result<i64> {
    Ok(index_events::table.count().get_result(conn)?)
}

/// The oldest event the index refused, if any: how many times it was tried
/// and the index's last answer (`pmt admin doctor`).
pub fn oldest_failure(conn: &mut DbConnection) -> Result<Option<(i32, String)>> {
    Ok(index_events::table
        .filter(index_events::attempts.gt(0))
        .order(index_events::seq.asc())
        .select((index_events::attempts, index_events::last_error))
        .first::<(i32, Option<String>)>(conn)
        .optional()?
        .map(|(attempts, error)| (attempts, error.unwrap_or_default())))
}
